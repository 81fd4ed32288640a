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
from django.db import connection, models, transaction
from django.utils import timezone

from onethread.imports.bulk import BulkTable, driver_value
from onethread.insights import adapter, derive
from onethread.insights.models import Checkpoint, JourneyFact, MonthlyValue, StageVisit
from onethread.journeys.models import Journey, JourneyEvent

CHECKPOINT = "journey-aggregates"
DERIVED_KINDS = frozenset((derive.STAGE_ENTERED, derive.VALUE_RECORDED))
BATCH_SIZE = 50_000
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
    """Recompute the aggregates of these journeys from their events and write
    only what differs from the stored rows: a new stage is one new stay and
    one finished, a value event one month, where deleting and writing every
    row of the journey again cost each table's indexes once per row (most of
    an incremental refresh). Every journey's JourneyFact row gets the marker
    (`refreshed_upto`), changed or not: it tells the dashboards' copy which
    journeys to read again (adapter.read_aggregates)."""
    events = adapter.read_events(journey_ids, up_to=up_to)
    marker = up_to if up_to is not None else _last_event_id()
    for model, table in (
        (JourneyFact, derive.journeys(adapter.read_base(journey_ids), events)),
        (StageVisit, derive.visits(events)),
        (MonthlyValue, derive.monthly_value(events)),
    ):
        _sync(model, table, journey_ids, marker)


# Per aggregate: the columns naming a row within the journeys, and the text
# columns whose null is stored blank.
_KEYS: dict[Any, tuple[tuple[str, ...], tuple[str, ...]]] = {
    JourneyFact: (("journey_id",), ("source", "outcome", "outcome_reason")),
    StageVisit: (("journey_id", "seq"), ("next_stage",)),
    MonthlyValue: (("journey_id", "month"), ()),
}


def _sync(model: Any, table: pa.Table, journey_ids: Sequence[int], marker: int) -> None:
    """Make the stored rows of these journeys those of `table` (columns named
    as the model's fields): rows no longer derived deleted, changed ones
    updated, new ones inserted, each written with the marker."""
    key, blank = _KEYS[model]
    names = table.column_names
    at = [names.index(name) for name in key]
    # The key columns are equal in a matched pair: left out of the update, so
    # their index (the unique one) is not rewritten.
    rest = [i for i, name in enumerate(names) if name not in key]
    wanted = {tuple(row[i] for i in at): row for row in _driver_rows(model, table, blank)}
    stale, changed, same = [], [], []
    for pk, row in adapter.stored_rows(model, names, journey_ids):
        new = wanted.pop(tuple(row[i] for i in at), None)
        if new is None:
            stale.append(pk)
        elif new != row:
            changed.append((*(new[i] for i in rest), marker, pk))
        else:
            same.append(pk)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    table_name = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(stale):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"delete from {table_name} where {pk_column} in ({marks})", chunk)
        if changed:
            updated = [names[i] for i in rest] + ["refreshed_upto"]
            columns = [model._meta.get_field(name).column for name in updated]
            assigned = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
            cursor.executemany(
                f"update {table_name} set {assigned} where {pk_column} = %s", changed
            )
        if model is JourneyFact:  # the copy's marker, on every journey recomputed
            for chunk in _chunks(same):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"update {table_name} set refreshed_upto = %s where {pk_column} in ({marks})",
                    [marker, *chunk],
                )
    if wanted:
        writer = BulkTable(model, [*names, "refreshed_upto"])
        writer.insert(((*row, marker) for row in wanted.values()), prepared=True)


def _chunks(ids: list[Any]) -> list[list[Any]]:
    return [ids[start : start + adapter.IN_CHUNK] for start in range(0, len(ids), adapter.IN_CHUNK)]


def _driver_rows(model: Any, table: pa.Table, blank: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of an arrow table as the database driver takes (and gives
    back) the model's fields, as BulkTable converts them: what is compared
    with the stored rows, and written. SQLite's times and days are made text
    in arrow: one Python conversion per value cost a tenth of a refresh."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    sqlite = connection.vendor == "sqlite"
    columns = []
    for name in table.column_names:
        column = table[name].combine_chunks()
        if name in blank:
            column = pc.fill_null(column, "")
        field = fields[name]
        if sqlite and isinstance(field, models.DateTimeField):
            columns.append(sqlite_times(column).to_pylist())
        elif sqlite and isinstance(field, models.DateField):
            columns.append(column.cast(pa.string()).to_pylist())
        else:
            convert = driver_value(field)
            columns.append([convert(value) for value in column.to_pylist()])
    return list(zip(*columns, strict=True))


def sqlite_times(column: pa.Array) -> pa.Array:
    """UTC times as SQLite stores them (Django's text: whole seconds without
    a fraction, six digits otherwise)."""
    text = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")  # always six digits
    micros = column.cast(pa.int64())
    whole = pc.multiply(pc.divide(micros, 1_000_000), 1_000_000)  # integer division
    return pc.if_else(pc.equal(micros, whole), pc.utf8_slice_codeunits(text, 0, 19), text)


def _last_event_id() -> int:
    return JourneyEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def last_refreshed() -> dt.datetime | None:
    return Checkpoint.objects.filter(name=CHECKPOINT).values_list("refreshed_at", flat=True).first()
