"""Keeping the insights aggregates up to date with the journey event log.

`refresh_insights(batch_size=...)` folds the events after the checkpoint into
JourneyFact, StageVisit and MonthlyValue, a batch at a time: each batch
recomputes only the journeys its events touch, from all their events up to
the batch's last id, and moves the checkpoint, in one transaction. A crash
mid-batch rolls that batch back; the next run resumes after the last
committed one. The first refresh (checkpoint at 0), or `full=True` (after a
change of definitions, or a bulk rewrite of history), rebuilds journey by
journey instead, then moves the checkpoint."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.utils import timezone

from onethread.imports.bulk import BulkTable
from onethread.insights import adapter, derive
from onethread.insights.models import Checkpoint, JourneyFact, MonthlyValue, StageVisit
from onethread.journeys.models import Journey, JourneyEvent

CHECKPOINT = "journey-aggregates"
DERIVED_KINDS = frozenset((derive.STAGE_ENTERED, derive.VALUE_RECORDED))
BATCH_SIZE = 50_000
WRITE_BATCH = 5_000
# A rebuild recomputes batch_size / EVENTS_PER_JOURNEY journeys per transaction.
EVENTS_PER_JOURNEY = 10


@dataclass(frozen=True)
class Refresh:
    events: int
    journeys: int
    batches: int
    last_event_id: int


def refresh_insights(*, batch_size: int = BATCH_SIZE, full: bool = False) -> Refresh:
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    if full:
        _reset()
    events = journeys = batches = 0
    if _checkpoint().last_event_id == 0:
        events, journeys, batches = _rebuild(batch_size)
    while True:
        done = _refresh_batch(batch_size)
        if done is None:
            break
        events += done[0]
        journeys += done[1]
        batches += 1
    last = Checkpoint.objects.filter(name=CHECKPOINT).values_list("last_event_id", flat=True)
    return Refresh(events, journeys, batches, last.first() or 0)


@transaction.atomic
def _reset() -> None:
    for model in (StageVisit, MonthlyValue, JourneyFact):
        model.objects.all().delete()
    Checkpoint.objects.update_or_create(
        name=CHECKPOINT, defaults={"last_event_id": 0, "refreshed_at": timezone.now()}
    )


def _checkpoint() -> Checkpoint:
    checkpoint, _ = Checkpoint.objects.get_or_create(name=CHECKPOINT)
    return checkpoint


def _locked_checkpoint() -> Checkpoint:
    """The checkpoint row, locked: one refresh writes at a time (several
    worker threads may run the task)."""
    return Checkpoint.objects.select_for_update().get(pk=_checkpoint().pk)


def _rebuild(batch_size: int) -> tuple[int, int, int]:
    """From nothing: every journey once (in id order, a chunk per
    transaction) from its events up to the last one now, then the checkpoint.
    Folding a whole log event batch by event batch would recompute a journey
    once per batch that touches it. An interrupted rebuild starts again."""
    last = _last_event_id()
    if last == 0:
        return 0, 0, 0
    per_batch = max(1, batch_size // EVENTS_PER_JOURNEY)
    after = journeys = batches = 0
    while True:
        with transaction.atomic():
            _locked_checkpoint()
            chunk = list(
                Journey.objects.filter(id__gt=after)
                .order_by("id")
                .values_list("id", flat=True)[:per_batch]
            )
            if not chunk:
                break
            rewrite(chunk, up_to=last)
        after, journeys, batches = chunk[-1], journeys + len(chunk), batches + 1
    with transaction.atomic():
        checkpoint = _locked_checkpoint()
        checkpoint.last_event_id = last
        checkpoint.refreshed_at = timezone.now()
        checkpoint.save(update_fields=["last_event_id", "refreshed_at"])
    return JourneyEvent.objects.filter(id__lte=last).count(), journeys, batches


@transaction.atomic
def _refresh_batch(batch_size: int) -> tuple[int, int] | None:
    """One batch: (events read, journeys recomputed), or None when up to date."""
    checkpoint = _locked_checkpoint()
    pending = list(
        JourneyEvent.objects.filter(id__gt=checkpoint.last_event_id)
        .order_by("id")
        .values_list("id", "journey_id", "kind")[:batch_size]
    )
    if not pending:
        return None
    last = pending[-1][0]
    # A journey's aggregates depend only on its stage and value events and on
    # its current state (the Journey row): a journey that only got notes,
    # interactions and the like, whose state matches its facts, keeps its rows.
    derived = {journey_id for _, journey_id, kind in pending if kind in DERIVED_KINDS}
    others = sorted({journey_id for _, journey_id, _ in pending} - derived)
    affected = sorted(derived | adapter.stale_facts(others))
    rewrite(affected, up_to=last)
    checkpoint.last_event_id = last
    checkpoint.refreshed_at = timezone.now()
    checkpoint.save(update_fields=["last_event_id", "refreshed_at"])
    return len(pending), len(affected)


def rewrite(journey_ids: Sequence[int], *, up_to: int | None = None) -> None:
    """Recompute the aggregates of these journeys from their events: their old
    rows deleted (one statement per table and chunk of ids), the new ones
    written with BulkTable (executemany / COPY; model instances cost 3x more)."""
    events = adapter.read_events(journey_ids, up_to=up_to)
    journeys = derive.journeys(adapter.read_base(journey_ids), events)
    visits = derive.visits(events)
    monthly = derive.monthly_value(events)
    marker = up_to if up_to is not None else _last_event_id()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(journey_ids), adapter.IN_CHUNK):
            chunk = list(journey_ids[start : start + adapter.IN_CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            for model in (StageVisit, MonthlyValue, JourneyFact):
                table = quote(model._meta.db_table)
                cursor.execute(f"delete from {table} where journey_id in ({marks})", chunk)
    _write(JourneyFact, journeys, marker, blank=("source", "outcome", "outcome_reason"))
    _write(StageVisit, visits, marker, blank=("next_stage",))
    _write(MonthlyValue, monthly, marker)


def _write(model: Any, table: pa.Table, marker: int, blank: Sequence[str] = ()) -> None:
    """The rows of an arrow table (columns named as the model's fields)."""
    names = table.column_names
    writer = BulkTable(model, [*names, "refreshed_upto"])
    for batch in table.to_batches(max_chunksize=WRITE_BATCH):
        columns = [
            pc.fill_null(batch[name], "").to_pylist() if name in blank else batch[name].to_pylist()
            for name in names
        ]
        writer.insert((*row, marker) for row in zip(*columns, strict=True))


def _last_event_id() -> int:
    return JourneyEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def last_refreshed() -> dt.datetime | None:
    return Checkpoint.objects.filter(name=CHECKPOINT).values_list("refreshed_at", flat=True).first()
