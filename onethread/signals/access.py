"""Who may see and settle which signals."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from onethread.journeys.access import NotPermitted, viewer_for, visible_journeys
from onethread.signals.models import Signal


def visible_signals(user: User | AnonymousUser) -> QuerySet[Signal]:
    """The signals on journeys the user sees."""
    return Signal.objects.filter(journey__in=visible_journeys(user))


def get_signal_for_user(user: User | AnonymousUser, signal_id: int) -> Signal:
    try:
        return (
            visible_signals(user)
            .select_related(
                "journey__account", "journey__stage", "routed_to__user", "need", "product", "deal"
            )
            .get(pk=signal_id)
        )
    except (Signal.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such signal.") from error


def check_can_settle(user: User | AnonymousUser, signal: Signal) -> None:
    """The member it is routed to, a manager of its journey's team, or an admin."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return
    member = viewer.member
    if member is None:
        raise NotPermitted("Only team members act on signals.")
    if signal.routed_to_id == member.pk:
        return
    if member.is_manager and signal.journey.team_id == member.team_id:
        return
    raise NotPermitted("Only the person it is routed to, their manager or an admin can settle it.")
