"""Raising signals from detector candidates, set by set: per batch, the
journeys and account teams are read as plain rows, and the signals, their
journey events and the notifications are each written with one bulk
statement (executemany on SQLite, COPY on PostgreSQL), with no model object
per row: a first run over a million journeys raises hundreds of thousands.

People are told of what one raise routed to them (or, for managers, raised
as a risk on their team) one signal a notification, up to SUMMARY_OVER;
past that, by one notification that counts them by kind: a first run over
years of history would otherwise bury every other notification."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from onethread.imports.bulk import BulkTable, allocate_ids
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.notifications.models import Notification
from onethread.notifications.tasks import email_notifications
from onethread.signals import routing
from onethread.signals.detectors.base import Candidate, signalled
from onethread.signals.models import EXPANSION_KINDS, Kind, Signal
from onethread.webhooks.services import queue_deliveries
from onethread.webhooks.subscriptions import subscribed_event_types

RAISE_BATCH = 5000
# More signals than this for one person in one raise: one summary notification.
SUMMARY_OVER = 3

SIGNAL_FIELDS = [
    "id", "kind", "detector", "dedupe_key", "score", "explanation", "evidence", "account_id",
    "journey_id", "routed_to_id", "need_id", "product_id", "status", "raised_at",
    "dismiss_reason", "dismiss_note", "version",
]  # fmt: skip
EVENT_FIELDS = ["id", "journey_id", "kind", "stage_id", "occurred_at", "recorded_at", "payload"]
NOTIFICATION_FIELDS = ["id", "recipient_id", "kind", "text", "journey_id", "url", "created_at"]


def raise_signals(candidates: Iterable[Candidate], *, now: dt.datetime) -> list[Signal]:
    """Raise each candidate whose condition has no signal yet, and return the
    signals raised. A condition already signalled, open or settled, is not
    raised again: a dismissed signal stays dismissed; a new occurrence has a
    new key."""
    ids = raise_candidates(candidates, now=now)
    return list(Signal.objects.filter(pk__in=ids).order_by("id"))


def raise_candidates(candidates: Iterable[Candidate], *, now: dt.datetime) -> list[int]:
    """raise_signals without loading what it raised: the ids."""
    unique = {candidate.dedupe_key: candidate for candidate in candidates}
    known = signalled(unique)
    fresh = [candidate for key, candidate in unique.items() if key not in known]
    raised: list[int] = []
    told: list[Raised] = []
    for start in range(0, len(fresh), RAISE_BATCH):
        raised += _raise_batch(fresh[start : start + RAISE_BATCH], now, told)
    _notify(told, now)
    return raised


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows written in bulk. PostgreSQL: taken from the
    sequence (no lock: concurrent inserts take others). SQLite: the write
    transaction holds the database lock, so the next ones are ours."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        return list(allocate_ids(model, count))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _insert(table: BulkTable, rows: Sequence[Sequence[Any]]) -> None:
    # The bulk writer uses the driver's cursor: its errors become Django's here.
    with connection.wrap_database_errors:
        table.insert(rows)


def _raise_batch(batch: list[Candidate], now: dt.datetime, told: list["Raised"]) -> list[int]:
    """Raise a batch; the raised signals are added to `told`, for the caller
    to notify the people concerned once for all its batches."""
    facts = routing.journey_facts({candidate.journey_id for candidate in batch})
    # The account team is read only where routing needs it: expansion, or a
    # journey without an active owner.
    seats = routing.seats_by_journey(
        {
            candidate.journey_id
            for candidate in batch
            if candidate.kind in EXPANSION_KINDS or facts[candidate.journey_id].owner is None
        }
    )
    routed = [
        routing.route(
            candidate.kind, facts[candidate.journey_id], seats.get(candidate.journey_id, [])
        )
        for candidate in batch
    ]
    rows = [
        (
            signal_id, c.kind, c.detector, c.dedupe_key, c.score, c.explanation, c.evidence,
            c.account_id, c.journey_id, person.id if person else None, c.need_id, c.product_id,
            Signal.Status.OPEN, now, "", "", 1,
        )
        for signal_id, c, person in zip(new_ids(Signal, len(batch)), batch, routed, strict=True)
    ]  # fmt: skip
    table = BulkTable(Signal, SIGNAL_FIELDS)
    try:
        with transaction.atomic():
            _insert(table, rows)
        kept = list(range(len(rows)))
    except IntegrityError:
        # Another run raised some of these conditions meanwhile: one by one,
        # each in its own savepoint, skipping those the constraint refuses.
        kept = [index for index, row in enumerate(rows) if _insert_one(table, row)]
    raised = [(rows[i][0], batch[i], routed[i], facts[batch[i].journey_id]) for i in kept]
    _announce(raised, now)
    told.extend(raised)
    return [signal_id for signal_id, *_ in raised]


def _insert_one(table: BulkTable, row: Sequence[Any]) -> bool:
    try:
        with transaction.atomic():
            _insert(table, [row])
    except IntegrityError:
        return False
    return True


Raised = tuple[int, Candidate, routing.Person | None, routing.JourneyFacts]


def _announce(raised: list[Raised], now: dt.datetime) -> None:
    """The journey event of each signal and its webhook deliveries."""
    recorded_at = timezone.now()
    event_ids = new_ids(JourneyEvent, len(raised))
    _insert(
        BulkTable(JourneyEvent, EVENT_FIELDS),
        [
            (
                event_id,
                candidate.journey_id,
                EventKind.SIGNAL_RAISED,
                journey.stage_id,
                now,
                recorded_at,
                {
                    "signal_id": signal_id,
                    "kind": candidate.kind,
                    "detector": candidate.detector,
                    "score": candidate.score,
                    "explanation": candidate.explanation,
                    "routed_to_id": person.id if person else None,
                    "routed_to": person.name if person else None,
                },
            )
            for event_id, (signal_id, candidate, person, journey) in zip(
                event_ids, raised, strict=True
            )
        ],
    )
    if EventKind.SIGNAL_RAISED in subscribed_event_types():
        for event in JourneyEvent.objects.filter(pk__in=event_ids).order_by("id"):
            queue_deliveries(event)


def _notify(raised: list[Raised], now: dt.datetime) -> None:
    """Each signal to the person it is routed to; risk to the team's managers
    too. A person with more than SUMMARY_OVER of them gets one summary."""
    managers = routing.managers_by_team(
        {person.team_id for _, c, person, _ in raised if person and c.kind not in EXPANSION_KINDS}
    )
    url = reverse("signals")
    # Per recipient, in order: (the signal, whether it is theirs or their team's).
    told: dict[int, list[tuple[Candidate, routing.JourneyFacts, bool]]] = defaultdict(list)
    for _, candidate, person, journey in raised:
        if person is None:
            continue
        told[person.user_id].append((candidate, journey, True))
        if candidate.kind not in EXPANSION_KINDS:
            for manager in managers.get(person.team_id, []):
                if manager.user_id != person.user_id:
                    told[manager.user_id].append((candidate, journey, False))
    rows = []
    for user_id, signals in told.items():
        if len(signals) > SUMMARY_OVER:
            rows.append([user_id, Notification.Kind.SIGNAL, summary(signals), None, url, now])
            continue
        for candidate, journey, _ in signals:
            text = f"{Kind(candidate.kind).label} on {journey.account}: {candidate.explanation}"
            rows.append([user_id, Notification.Kind.SIGNAL, text[:500], journey.id, url, now])
    ids = new_ids(Notification, len(rows))
    _insert(
        BulkTable(Notification, NOTIFICATION_FIELDS),
        [(notification_id, *row) for notification_id, row in zip(ids, rows, strict=True)],
    )
    if settings.EMAIL_ENABLED and ids:
        transaction.on_commit(lambda: email_notifications.enqueue(ids))


def summary(signals: Sequence[tuple[Candidate, routing.JourneyFacts, bool]]) -> str:
    """ "14 new signals: 9 for you (6 Cross-sell, 3 Silence), 5 risks on your
    team's journeys (5 Silence)." """

    def by_kind(candidates: list[Candidate]) -> str:
        counts = Counter(Kind(candidate.kind).label for candidate in candidates)
        return ", ".join(f"{count:,} {label}" for label, count in counts.most_common())

    mine = [candidate for candidate, _, own in signals if own]
    team = [candidate for candidate, _, own in signals if not own]
    parts = []
    if mine:
        parts.append(f"{len(mine):,} for you ({by_kind(mine)})")
    if team:
        risks = "risk" if len(team) == 1 else "risks"
        parts.append(f"{len(team):,} {risks} on your team's journeys ({by_kind(team)})")
    return f"{len(signals):,} new signals: {', '.join(parts)}."[:500]
