"""Reads for the signals inbox, the badges and the usefulness page."""

from collections.abc import Collection

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet

from onethread.journeys.access import viewer_for
from onethread.journeys.prepared import Prepared
from onethread.signals.models import DetectorRun, Signal

INBOX_LIMIT = 100


def _listed(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    return signals.select_related(
        "journey__account", "journey__stage", "routed_to__user", "need", "product"
    )


def inbox(user: User | AnonymousUser, *, limit: int = INBOX_LIMIT) -> list[Signal]:
    """The open signals routed to the user, strongest first."""
    member = viewer_for(user).member
    if member is None:
        return []
    chosen = Signal.objects.filter(routed_to=member, status=Signal.Status.OPEN)
    return list(_listed(chosen).order_by("-score", "-id")[:limit])


def open_count(user: User | AnonymousUser) -> int:
    member = viewer_for(user).member
    if member is None:
        return 0
    return Signal.objects.filter(routed_to=member, status=Signal.Status.OPEN).count()


# Compiled once (journeys/prepared.py): the account page reads it every time.
_OPEN_ON_JOURNEY: Prepared[Signal] = Prepared(
    lambda journey: (
        Signal.objects.filter(journey_id=journey, status=Signal.Status.OPEN)
        .select_related("routed_to__user")
        .order_by("-score", "-id")
    ),
    journey=int,
)


def open_on_journey(journey_id: int) -> list[Signal]:
    """The journey's open signals, strongest first, with whom each is routed to
    (the account page's panel; the journey is the page's own)."""
    return _OPEN_ON_JOURNEY.objects(journey=journey_id)


def open_counts(journey_ids: Collection[int]) -> dict[int, int]:
    rows = (
        Signal.objects.filter(journey_id__in=list(journey_ids), status=Signal.Status.OPEN)
        .values("journey_id")
        .annotate(n=Count("id"))
        .values_list("journey_id", "n")
    )
    return dict(rows)


def latest_failures(limit: int = 5) -> list[DetectorRun]:
    """The most recent failed detector runs, for admins."""
    return list(DetectorRun.objects.filter(status=DetectorRun.Status.FAILED)[:limit])
