"""Who may see and change which journeys. Every page, API handler and command
fetches journeys through these functions."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onethread.handoffs.models import Handoff, Transition
from onethread.journeys.events import member_of
from onethread.journeys.models import AccountTeamMember, Journey, Stage
from onethread.team.models import Member
from onethread.training.shadowing import followed_journey


class NotPermitted(Exception):
    """The user sees the record but may not make this change."""


@dataclass(frozen=True)
class Viewer:
    user: User | AnonymousUser
    member: Member | None
    sees_all: bool


def viewer_for(user: User | AnonymousUser) -> Viewer:
    if not user.is_authenticated or not user.is_active:
        return Viewer(user=user, member=None, sees_all=False)
    member = member_of(user)
    sees_all = bool(getattr(user, "is_superuser", False)) or bool(member and member.is_admin)
    return Viewer(user=user, member=member, sees_all=sees_all)


def visible_journeys(user: User | AnonymousUser) -> QuerySet[Journey]:
    """Admins see every journey; everyone else their team's journeys, those
    whose account team they are on, and those handed off to them."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return Journey.objects.all()
    if viewer.member is None:
        return Journey.objects.none()
    return Journey.objects.filter(member_sees(viewer.member))


def member_sees(member: Member) -> Q:
    """The condition on a journey row: the member's team's, on their account
    team, or handed off to them. Correlated EXISTS probes, so that looking up
    one journey never reads all of a member's seats."""
    seat = AccountTeamMember.objects.filter(journey=OuterRef("pk"), member=member)
    handed = Handoff.objects.filter(journey=OuterRef("pk"), to_member=member)
    return Q(team_id=member.team_id) | Exists(seat) | Exists(handed)


def get_journey_for_user(user: User | AnonymousUser, journey_id: int) -> Journey:
    """The journey, or 404 when it does not exist or is outside the user's rights."""
    try:
        return (
            visible_journeys(user)
            .select_related("account", "stage", "team", "owner__user")
            .get(pk=journey_id)
        )
    except (Journey.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such journey.") from error


def shadowed_journey_for_user(
    user: User | AnonymousUser,
    *,
    via: str,
    journey_id: int | None = None,
    account_id: int | None = None,
) -> Journey:
    """For reading views only, after the ordinary check said 404: a journey the
    user follows in a running cross-training shadowing (read-only, because
    writes never come here; each read is recorded in the shadowing's audit
    trail). Still 404 otherwise."""
    journey = followed_journey(
        viewer_for(user).member,
        today=timezone.localdate(),
        via=via,
        journey_id=journey_id,
        account_id=account_id,
    )
    if journey is None:
        raise Http404("No such journey.")
    return journey


def can_move_stage(user: User | AnonymousUser, journey: Journey) -> bool:
    """The owner, a manager of the journey's team and admins move stages; an
    unowned journey can be moved by anyone of its team."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return True
    member = viewer.member
    if member is None:
        return False
    if journey.owner_id == member.pk:
        return True
    same_team = journey.team_id == member.team_id
    return same_team and (member.is_manager or journey.owner_id is None)


def check_can_move_stage(
    user: User | AnonymousUser, journey: Journey, stage: Stage | None = None
) -> None:
    """May the user move the journey (to `stage`) directly? A step that
    requires a handoff is crossed directly only by managers and admins."""
    if not can_move_stage(user, journey):
        raise NotPermitted(
            "Only the journey's owner, a manager of its team or an admin can move its stage."
        )
    viewer = viewer_for(user)
    if stage is None or viewer.sees_all or (viewer.member and viewer.member.is_manager):
        return
    if Transition.objects.filter(
        from_stage_id=journey.stage_id, to_stage=stage, requires_handoff=True
    ).exists():
        raise NotPermitted(
            f"Moving from {journey.stage.name} to {stage.name} goes through a handoff: "
            "send it to the next stage, who accepts or returns it."
        )


def get_journey_record_for_user[M: Model](
    model: type[M], user: User | AnonymousUser, record_id: int
) -> M:
    """A record that belongs to a journey (need, commitment, ticket …), or 404."""
    try:
        return model._default_manager.select_related("journey__stage").get(
            pk=record_id, journey__in=visible_journeys(user)
        )
    except (model.DoesNotExist, ValueError, OverflowError) as error:  # type: ignore[attr-defined]
        raise Http404(f"No such {model._meta.verbose_name}.") from error
