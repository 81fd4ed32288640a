"""Who may send, see and answer handoffs."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from onethread.handoffs.models import Handoff
from onethread.journeys.access import NotPermitted, can_move_stage, viewer_for, visible_journeys
from onethread.journeys.models import Journey
from onethread.team.models import Member, Team


def check_can_send(user: User, journey: Journey) -> Member:
    """The sender: a member who may move the journey's stage (its owner, a
    manager of its team, an admin)."""
    member = viewer_for(user).member
    if member is None:
        raise NotPermitted("Only members of a team send handoffs.")
    if not can_move_stage(user, journey):
        raise NotPermitted(
            "Only the journey's owner, a manager of its team or an admin can hand it off."
        )
    return member


def can_answer(user: User | AnonymousUser, handoff: Handoff) -> bool:
    """The receiver, a colleague with the receiver's role in their team, a
    manager of the receiver's team, or an admin — never the sender."""
    viewer = viewer_for(user)
    member = viewer.member
    if member is None or member.pk == handoff.from_member_id:
        return False
    if viewer.sees_all or member.pk == handoff.to_member_id:
        return True
    receiver = handoff.to_member
    same_team = member.team_id == receiver.team_id
    return same_team and (member.is_manager or member.role == receiver.role)


def check_can_answer(user: User, handoff: Handoff) -> Member:
    member = viewer_for(user).member
    if member is not None and member.pk == handoff.from_member_id:
        raise NotPermitted("You sent this handoff: the receiving side accepts or returns it.")
    if member is None or not can_answer(user, handoff):
        raise NotPermitted(
            "Only the receiver, their team's manager or a colleague in their role can answer."
        )
    return member


def visible_handoffs(user: User | AnonymousUser) -> QuerySet[Handoff]:
    """Handoffs of journeys one can see, and those one sent or received."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return Handoff.objects.all()
    if viewer.member is None:
        return Handoff.objects.none()
    return Handoff.objects.filter(
        Q(journey__in=visible_journeys(user))
        | Q(from_member=viewer.member)
        | Q(to_member=viewer.member)
    )


def get_handoff_for_user(user: User | AnonymousUser, handoff_id: int) -> Handoff:
    try:
        return (
            visible_handoffs(user)
            .select_related(
                "journey__account",
                "journey__stage",
                "from_member__user",
                "from_member__team",
                "to_member__user",
                "to_member__team",
                "from_stage",
                "to_stage",
                "responded_by__user",
                "return_reason",
            )
            .get(pk=handoff_id)
        )
    except (Handoff.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such handoff.") from error


def can_see_team_handoff_health(user: User | AnonymousUser, team: Team) -> bool:
    """A team's handoff health: its members, managers and admins."""
    viewer = viewer_for(user)
    member = viewer.member
    return viewer.sees_all or (
        member is not None and (member.is_manager or member.team_id == team.pk)
    )


def get_team_for_handoff_health(user: User | AnonymousUser, team_id: int) -> Team:
    """The team, or 404 when it does not exist or its handoff health is not for the user."""
    try:
        team = Team.objects.get(pk=team_id)
    except (Team.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such team.") from error
    if not can_see_team_handoff_health(user, team):
        raise Http404("No such team.")
    return team


def handoff_health_teams(user: User | AnonymousUser) -> QuerySet[Team]:
    """The teams whose handoff health the user may open."""
    viewer = viewer_for(user)
    if viewer.sees_all or (viewer.member is not None and viewer.member.is_manager):
        return Team.objects.all()
    if viewer.member is None:
        return Team.objects.none()
    return Team.objects.filter(pk=viewer.member.team_id)
