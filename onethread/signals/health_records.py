"""Health scores kept: the one module that reads the tables for the health
facts, and writes a row per journey and day (recomputing the same day
replaces that day's row)."""

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict

from django.db.models import Count, Max, Q

from onethread.commitments.models import Commitment
from onethread.interactions.models import Interaction
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.journeys.prepared import Prepared
from onethread.needs.models import Need
from onethread.signals.health import VALUE_WINDOW_DAYS, HealthFacts, health
from onethread.signals.models import HealthScore, HealthWeight
from onethread.support.models import Ticket

BATCH = 2000


def _per_journey(rows: object) -> dict[int, dict[str, object]]:
    return {row.pop("journey_id"): row for row in rows}  # type: ignore[attr-defined]


def read_facts(journey_ids: Collection[int], now: dt.datetime) -> dict[int, HealthFacts]:
    ids = list(journey_ids)
    today = now.date()
    touched = dict(
        Interaction.objects.filter(journey_id__in=ids, occurred_at__lte=now)
        .values("journey_id")
        .annotate(last=Max("occurred_at"))
        .values_list("journey_id", "last")
    )
    tickets = _per_journey(
        Ticket.objects.filter(journey_id__in=ids, status=Ticket.Status.OPEN)
        .values("journey_id")
        .annotate(n=Count("id"), urgent=Count("id", filter=Q(priority=Ticket.Priority.URGENT)))
    )
    promises = _per_journey(
        Commitment.objects.filter(journey_id__in=ids)
        .values("journey_id")
        .annotate(
            kept=Count("id", filter=Q(status=Commitment.Status.KEPT)),
            broken=Count("id", filter=Q(status=Commitment.Status.BROKEN)),
            overdue=Count("id", filter=Q(status__in=Commitment.PENDING, due_on__lt=today)),
        )
    )
    needs = _per_journey(
        Need.objects.filter(journey_id__in=ids)
        .values("journey_id")
        .annotate(n=Count("id"), delivered=Count("id", filter=Q(status=Need.Status.DELIVERED)))
    )
    value = dict(
        JourneyEvent.objects.filter(
            journey_id__in=ids,
            kind=EventKind.VALUE_RECORDED,
            occurred_at__gte=now - dt.timedelta(days=VALUE_WINDOW_DAYS),
            occurred_at__lte=now,
        )
        .values("journey_id")
        .annotate(n=Count("id"))
        .values_list("journey_id", "n")
    )
    facts = {}
    for journey_id in ids:
        ticket = tickets.get(journey_id, {})
        promise = promises.get(journey_id, {})
        need = needs.get(journey_id, {})
        facts[journey_id] = HealthFacts(
            last_interaction=touched.get(journey_id),
            open_tickets=int(ticket.get("n", 0)),  # type: ignore[call-overload]
            urgent_tickets=int(ticket.get("urgent", 0)),  # type: ignore[call-overload]
            promises_kept=int(promise.get("kept", 0)),  # type: ignore[call-overload]
            promises_broken=int(promise.get("broken", 0)),  # type: ignore[call-overload]
            promises_overdue=int(promise.get("overdue", 0)),  # type: ignore[call-overload]
            needs_known=int(need.get("n", 0)),  # type: ignore[call-overload]
            needs_delivered=int(need.get("delivered", 0)),  # type: ignore[call-overload]
            recent_value_events=int(value.get(journey_id, 0)),
        )
    return facts


def weights() -> dict[str, int]:
    return dict(HealthWeight.objects.values_list("component", "weight"))


def record_health(*, now: dt.datetime, journey_ids: Collection[int] | None = None) -> int:
    """Compute today's score of every open journey after the sale (or of
    those named); returns how many were written."""
    journeys = Journey.objects.filter(closed_at__isnull=True, won_at__isnull=False)
    if journey_ids is not None:
        journeys = journeys.filter(pk__in=list(journey_ids))
    ids = list(journeys.order_by("pk").values_list("pk", flat=True))
    chosen = weights()
    written = 0
    for start in range(0, len(ids), BATCH):
        facts = read_facts(ids[start : start + BATCH], now)
        rows = []
        for journey_id, journey_facts in facts.items():
            score, components = health(journey_facts, now=now, weights=chosen)
            rows.append(
                HealthScore(
                    journey_id=journey_id,
                    day=now.date(),
                    score=score,
                    components=[asdict(component) for component in components],
                    computed_at=now,
                )
            )
        HealthScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["journey", "day"],
            update_fields=["score", "components", "computed_at"],
        )
        written += len(rows)
    return written


def history(journey_id: int, *, days: int = 90) -> list[HealthScore]:
    """The journey's scores, newest first, for the last `days` rows."""
    return list(HealthScore.objects.filter(journey_id=journey_id).order_by("-day")[:days])


PANEL_DAYS = 30
# Compiled once (journeys/prepared.py): the account page reads it every time.
_PANEL_HISTORY: Prepared[HealthScore] = Prepared(
    lambda journey: HealthScore.objects.filter(journey_id=journey).order_by("-day")[:PANEL_DAYS],
    journey=int,
)


def panel_history(journey_id: int) -> list[HealthScore]:
    """history() of the last PANEL_DAYS rows, as the account page shows it."""
    return _PANEL_HISTORY.objects(journey=journey_id)
