"""Who may see which replays and shadowings, and who curates them."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from onethread.journeys.access import viewer_for, visible_journeys
from onethread.team.models import Member
from onethread.training.models import Goal, ReplayAssignment, SavedReplay, Shadowing


def curator_of(user: User | AnonymousUser) -> Member:
    """The member who curates training: a manager or an admin; else 403."""
    viewer = viewer_for(user)
    member = viewer.member
    if member is None or not (member.is_manager or member.is_admin):
        raise PermissionDenied("Only managers and admins curate training.")
    return member


def is_curator(user: User | AnonymousUser) -> bool:
    try:
        curator_of(user)
    except PermissionDenied:
        return False
    return True


def visible_replays(user: User | AnonymousUser) -> QuerySet[SavedReplay]:
    """Replays of journeys the user may see, and those assigned to them."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return SavedReplay.objects.all()
    if viewer.member is None:
        return SavedReplay.objects.none()
    assigned = ReplayAssignment.objects.filter(replay=OuterRef("pk"), member=viewer.member)
    return SavedReplay.objects.filter(Q(journey__in=visible_journeys(user)) | Exists(assigned))


def get_replay_for_user(user: User | AnonymousUser, replay_id: int) -> SavedReplay:
    try:
        return (
            visible_replays(user)
            .select_related("journey__account", "journey__stage", "created_by__user")
            .get(pk=replay_id)
        )
    except (SavedReplay.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such replay.") from error


def get_assignment_for_user(user: User | AnonymousUser, assignment_id: int) -> ReplayAssignment:
    """One's own assignment (only the assignee marks it read or reflects)."""
    member = viewer_for(user).member
    try:
        return ReplayAssignment.objects.select_related("replay").get(
            pk=assignment_id, member=member
        )
    except (ReplayAssignment.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such assignment.") from error


def visible_shadowings(user: User | AnonymousUser) -> QuerySet[Shadowing]:
    """One's own shadowings; a manager's team's; every one for admins."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return Shadowing.objects.all()
    member = viewer.member
    if member is None:
        return Shadowing.objects.none()
    if member.is_manager:
        return Shadowing.objects.filter(
            Q(member=member) | Q(member__team_id=member.team_id) | Q(assigned_by=member)
        )
    return Shadowing.objects.filter(member=member)


def get_shadowing_for_user(user: User | AnonymousUser, shadowing_id: int) -> Shadowing:
    try:
        return (
            visible_shadowings(user)
            .select_related("member__user", "member__team", "stage", "assigned_by__user")
            .get(pk=shadowing_id)
        )
    except (Shadowing.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such shadowing.") from error


def visible_goals(user: User | AnonymousUser) -> QuerySet[Goal]:
    """Every goal for admins; a manager's team's (its members' too); for a
    member, their team's goals and their own."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return Goal.objects.all()
    member = viewer.member
    if member is None:
        return Goal.objects.none()
    if member.is_manager:
        return Goal.objects.filter(Q(team_id=member.team_id) | Q(member=member))
    return Goal.objects.filter(Q(team_id=member.team_id, member__isnull=True) | Q(member=member))


def get_goal_for_user(user: User | AnonymousUser, goal_id: int) -> Goal:
    try:
        return visible_goals(user).select_related("team", "member__user").get(pk=goal_id)
    except (Goal.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such goal.") from error


def get_member_for_goals(user: User | AnonymousUser, member_id: int) -> Member:
    """Whose goals one may look at: oneself; one's team's members for a
    manager; anyone for admins."""
    viewer = viewer_for(user)
    try:
        member = Member.objects.select_related("user", "team").get(pk=member_id)
    except (Member.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such member.") from error
    me = viewer.member
    if viewer.sees_all or (me is not None and me.pk == member.pk):
        return member
    if me is not None and me.is_manager and me.team_id == member.team_id:
        return member
    raise Http404("No such member.")
