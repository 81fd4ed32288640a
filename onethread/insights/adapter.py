"""The one module that knows table names: reads the database into the frames
of onethread.insights.frames, streaming rows in batches into arrow record
batches (never a whole table as Python objects).

- `read_frames()`: every frame, the journey-level ones from the maintained
  aggregates (JourneyFact, StageVisit, MonthlyValue); what pages and the
  report use.
- `read_frames(from_events=True)`: the same frames derived straight from the
  event log (a full recompute: tests and benchmarks compare the two).
- `read_events(journey_ids)` / `read_base(journey_ids)`: the inputs of
  derive.py for some journeys (the incremental refresh) or all (None).
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from onethread.commitments.models import Commitment
from onethread.deals.models import DealLineItem
from onethread.handoffs.models import Handoff
from onethread.insights import derive
from onethread.insights.frames import SCHEMAS, TIME, Frames
from onethread.insights.models import JourneyFact, MonthlyValue, StageVisit
from onethread.interactions.models import Interaction
from onethread.journeys.models import AccountTeamMember, EventKind, Journey, JourneyEvent, Stage
from onethread.needs.models import Need
from onethread.support.models import Ticket
from onethread.team.models import Member

BATCH = 20_000
IN_CHUNK = 500  # journey ids per IN (...) clause


def _table(rows: Iterable[Sequence[Any]], schema: pa.Schema, batch: int = BATCH) -> pa.Table:
    """An arrow table from row tuples in schema order, built batch by batch."""
    batches = []
    columns: list[list[Any]] = [[] for _ in schema]
    count = 0
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
        count += 1
        if count == batch:
            batches.append(pa.record_batch(columns, schema=schema))
            columns, count = [[] for _ in schema], 0
    if count or not batches:
        batches.append(pa.record_batch(columns, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _chunks(ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _listed(ids: Sequence[int]) -> RawSQL:
    """Ids for `journey_id__in=` as a subquery on one parameter: Django
    prepares each value of an `IN (%s, ...)` list in Python, which cost the
    dashboards' copy most of reading the context of 10,000 journeys."""
    if connection.vendor == "postgresql":
        return RawSQL("select unnest(%s::bigint[])", [list(ids)])
    return RawSQL("select value from json_each(%s)", [json.dumps(list(ids))])


def _amount(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_events(journey_ids: Sequence[int] | None = None, up_to: int | None = None) -> pa.Table:
    """The events derive.py needs (stage changes and value events) of the given
    journeys (None: all), up to an event id if given. A raw cursor straight
    into arrow columns: the incremental refresh reads these for every
    affected journey, and model rows cost several times more."""
    events, stages = JourneyEvent._meta.db_table, Stage._meta.db_table
    if connection.vendor == "postgresql":
        occurred, amount = "e.occurred_at", "e.payload ->> 'amount'"
    else:  # the stored text: parsing each into a datetime costs more than the query
        occurred, amount = "cast(e.occurred_at as text)", "json_extract(e.payload, '$.amount')"
    base = (
        f"select e.id, e.journey_id, e.kind, s.key, {occurred}, {amount} "
        f"from {events} e left join {stages} s on s.id = e.stage_id "
        "where e.kind in (%s, %s)"
    )
    kinds = [EventKind.STAGE_ENTERED.value, EventKind.VALUE_RECORDED.value]
    batches = []
    with connection.cursor() as cursor:
        for chunk in _chunks(journey_ids):
            query, params = base, list[int | str](kinds)
            if chunk is not None:
                query += f" and e.journey_id in ({', '.join(['%s'] * len(chunk))})"
                params.extend(chunk)
            if up_to is not None:
                query += " and e.id <= %s"
                params.append(up_to)
            cursor.execute(query, params)
            while rows := cursor.fetchmany(BATCH):
                batches.append(_event_batch(rows))
    if not batches:
        return derive.EVENTS.empty_table()
    return pa.Table.from_batches(batches, schema=derive.EVENTS)


def _event_batch(rows: list[Sequence[Any]]) -> pa.RecordBatch:
    ids, journeys, kinds, stages, times, amounts = zip(*rows, strict=True)
    # PostgreSQL gives aware datetimes; SQLite its stored text (UTC).
    occurred = pa.array(times)
    if pa.types.is_string(occurred.type):
        occurred = occurred.cast(pa.timestamp("us"))
    occurred = occurred.cast(TIME)
    return pa.record_batch(
        [
            pa.array(ids, type=pa.int64()),
            pa.array(journeys, type=pa.int64()),
            pa.array(kinds, type=pa.string()),
            pa.array(stages, type=pa.string()),
            occurred,
            pa.array([_amount(a) for a in amounts], type=pa.float64()),
        ],
        schema=derive.EVENTS,
    )


def journeys_with_events(after: int, up_to: int) -> list[int]:
    """The journeys with events after one event id, up to another."""
    return list(
        JourneyEvent.objects.filter(id__gt=after, id__lte=up_to)
        .order_by()
        .values_list("journey_id", flat=True)
        .distinct()
    )


def stale_facts(journey_ids: Sequence[int]) -> set[int]:
    """Those of the journeys whose current state (the columns of derive.BASE)
    differs from their JourneyFact row, or that have none."""
    journeys, stages, facts = (
        Journey._meta.db_table,
        Stage._meta.db_table,
        JourneyFact._meta.db_table,
    )
    same = "is not distinct from" if connection.vendor == "postgresql" else "is"
    compared = " and ".join(
        f"j.{column} {same} f.{column}"
        for column in ("team_id", "owner_id", "opened_at", "first_touch_at", "won_at", "closed_at")
    )
    query = (
        f"select j.id from {journeys} j join {stages} s on s.id = j.stage_id "
        f"left join {facts} f on f.journey_id = j.id where j.id in ({{marks}}) and not ("
        f"f.journey_id is not null and {compared} "
        "and coalesce(j.source, '') = f.source "
        "and coalesce(j.outcome_reason, '') = f.outcome_reason "
        "and f.outcome = case when j.closed_at is null then '' else s.key end)"
    )
    stale: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(journey_ids), IN_CHUNK):
            chunk = journey_ids[start : start + IN_CHUNK]
            cursor.execute(query.format(marks=", ".join(["%s"] * len(chunk))), list(chunk))
            stale.update(row[0] for row in cursor.fetchall())
    return stale


def read_base(journey_ids: Sequence[int] | None = None) -> pa.Table:
    """Each journey's current state (derive.BASE): a raw cursor into arrow
    columns, as read_events (the incremental refresh reads it for every
    affected journey; Django's per-value datetime parsing cost most of it)."""
    journeys, stages = Journey._meta.db_table, Stage._meta.db_table
    times = ("opened_at", "first_touch_at", "won_at", "closed_at")
    if connection.vendor == "sqlite":
        columns = ", ".join(f"cast(j.{name} as text)" for name in times)
    else:
        columns = ", ".join(f"j.{name}" for name in times)
    base = (
        f"select j.id, j.team_id, j.source, j.owner_id, {columns}, "
        "case when j.closed_at is null then null else s.key end, j.outcome_reason "
        f"from {journeys} j join {stages} s on s.id = j.stage_id"
    )
    batches = []
    with connection.cursor() as cursor:
        for chunk in _chunks(journey_ids):
            query, params = base, list(chunk or ())
            if chunk is not None:
                query += f" where j.id in ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(query, params)
            while rows := cursor.fetchmany(BATCH):
                batches.append(_aggregate_batch(rows, derive.BASE, ()))
    return pa.Table.from_batches(batches, schema=derive.BASE)


def read_aggregates(since: int | None = None) -> dict[str, pa.Table]:
    """The journey-level frames from the aggregates; with `since` (a checkpoint),
    only the rows of the journeys refreshes recomputed after it: those whose
    JourneyFact row carries a later marker (the dashboards' columnar copy)."""
    return _aggregates(since)


def stored_rows(
    model: Any, names: Sequence[str], journey_ids: Sequence[int]
) -> list[tuple[Any, tuple[Any, ...]]]:
    """The stored rows of an aggregate table for these journeys: (primary key,
    the named fields as the driver gives them; SQLite's times and days as
    their stored text, as BulkTable writes them)."""
    quote = connection.ops.quote_name
    columns = ", ".join(_column(model, name) for name in names)
    query = (
        f"select {quote(model._meta.pk.column)}, {columns} from {quote(model._meta.db_table)} "
        "where journey_id in ({marks})"
    )
    found: list[tuple[Any, tuple[Any, ...]]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(journey_ids):
            assert chunk is not None
            cursor.execute(query.format(marks=", ".join(["%s"] * len(chunk))), list(chunk))
            found.extend((row[0], tuple(row[1:])) for row in cursor.fetchall())
    return found


def read_context(journey_ids: Sequence[int] | None = None) -> dict[str, pa.Table]:
    """The context frames; with journey ids, only those journeys' rows (stages
    and members stay whole)."""
    return _context(journey_ids)


# The aggregate tables as the frames hold them: (model, frame, order, columns
# whose blank text means null).
_AGGREGATES = (
    (JourneyFact, "journeys", "journey_id", ("outcome",)),
    (StageVisit, "visits", "journey_id, seq", ("next_stage",)),
    (MonthlyValue, "monthly_value", "journey_id, month", ()),
)


def _aggregates(since: int | None = None) -> dict[str, pa.Table]:
    """A raw cursor straight into arrow columns: the dashboards' copy reads
    millions of rows, and Django's per-value datetime parsing cost most of
    the load (SQLite's stored text is cast in arrow instead)."""
    tables: dict[str, pa.Table] = {}
    changed: list[int] = []
    for model, name, order, blank in _AGGREGATES:
        schema = SCHEMAS[name]
        columns = ", ".join(_column(model, field) for field in schema.names)
        query = f"select {columns} from {model._meta.db_table}"
        if since is None:
            wheres: list[tuple[str, list[Any]]] = [("", [])]
        elif model is JourneyFact:
            wheres = [(" where refreshed_upto > %s", [since])]
        else:
            wheres = [
                (f" where journey_id in ({', '.join(['%s'] * len(chunk))})", list(chunk))
                for chunk in _chunks(changed)
                if chunk is not None
            ]
        batches = []
        with connection.cursor() as cursor:
            for where, params in wheres:
                cursor.execute(f"{query}{where} order by {order}", params)
                while rows := cursor.fetchmany(BATCH):
                    batches.append(_aggregate_batch(rows, schema, blank))
        tables[name] = pa.Table.from_batches(batches, schema=schema)
        if model is JourneyFact and since is not None:
            changed = tables[name]["journey_id"].to_pylist()
    return tables


def _column(model: Any, name: str) -> str:
    column = model._meta.get_field(name).column
    field = model._meta.get_field(name)
    if connection.vendor == "sqlite" and field.get_internal_type() in (
        "DateTimeField",
        "DateField",
    ):
        return f"cast({column} as text)"
    return column


def _aggregate_batch(
    rows: list[Sequence[Any]], schema: pa.Schema, blank: Sequence[str]
) -> pa.RecordBatch:
    arrays = []
    for field, values in zip(schema, zip(*rows, strict=True), strict=True):
        if field.name in blank:
            values = tuple(value or None for value in values)
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            array = pa.array(values)
            if pa.types.is_string(array.type) or pa.types.is_null(array.type):
                # SQLite's stored text (UTC): to the naive type, then the frame's.
                naive = pa.timestamp("us") if pa.types.is_timestamp(field.type) else field.type
                array = array.cast(naive)
            arrays.append(array.cast(field.type))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.record_batch(arrays, schema=schema)


def _from_events() -> dict[str, pa.Table]:
    events = read_events()
    return {
        "journeys": derive.journeys(read_base(), events),
        "visits": derive.visits(events),
        "monthly_value": derive.monthly_value(events),
    }


def read_frames(*, from_events: bool = False) -> Frames:
    journey_level = _from_events() if from_events else _aggregates()
    return Frames(**journey_level, **_context())


def _context(journey_ids: Sequence[int] | None = None) -> dict[str, pa.Table]:
    """Everything beside the journey-level frames: one streamed query each."""

    def rows(queryset: QuerySet[Any, Any]) -> Iterator[Sequence[Any]]:
        if journey_ids is not None:
            queryset = queryset.filter(journey_id__in=_listed(journey_ids))
        return queryset.iterator(chunk_size=BATCH)

    stages = Stage.objects.values_list("key", "name", "position", "kind", "side", "owner_role")
    in_deal = Exists(DealLineItem.objects.filter(need_id=OuterRef("pk")))
    needs = (
        Need.objects.order_by()
        .annotate(in_deal=in_deal)
        .values_list(
            "journey_id",
            "captured_at_stage__key",
            "captured_at_stage__side",
            "status",
            "captured_at",
            "in_deal",
        )
    )
    commitments = Commitment.objects.order_by().values_list(
        "journey_id", "made_at_stage__key", "made_by__member__id", "status", "made_at", "due_on"
    )
    interactions = Interaction.objects.order_by().values_list("journey_id", "occurred_at")
    discoveries = (
        JourneyEvent.objects.filter(kind=EventKind.REPEATED_DISCOVERY)
        .order_by()
        .values_list("journey_id", "stage__key", "occurred_at")
    )
    tickets = Ticket.objects.order_by().values_list("journey_id", "status", "resolved_at")
    seats = AccountTeamMember.objects.order_by().values_list(
        "journey_id", "member_id", "stage__key", "owned"
    )
    members = Member.objects.order_by("id").annotate(
        first=F("user__first_name"), last=F("user__last_name"), username=F("user__username")
    )
    member_rows = (
        (m.pk, f"{m.first} {m.last}".strip() or m.username, role, m.team_id, role == m.role)
        for m in members.only("id", "role", "team_id", "secondary_roles").iterator(chunk_size=BATCH)
        for role in dict.fromkeys([m.role, *(m.secondary_roles or [])])
    )
    return {
        "stages": _table(stages.iterator(), SCHEMAS["stages"]),
        "handoffs": _table(_handoff_rows(rows), SCHEMAS["handoffs"]),
        "needs": _table(rows(needs), SCHEMAS["needs"]),
        "commitments": _table(rows(commitments), SCHEMAS["commitments"]),
        "interactions": _table(rows(interactions), SCHEMAS["interactions"]),
        "discoveries": _table(rows(discoveries), SCHEMAS["discoveries"]),
        "tickets": _table(rows(tickets), SCHEMAS["tickets"]),
        "seats": _table(rows(seats), SCHEMAS["seats"]),
        "members": _table(member_rows, SCHEMAS["members"]),
    }


def _handoff_rows(
    rows: Callable[[QuerySet[Any, Any]], Iterator[Sequence[Any]]] | None = None,
) -> Iterator[tuple[Any, ...]]:
    handoffs = Handoff.objects.order_by().values_list(
        "journey_id",
        "from_member_id",
        "to_member_id",
        "from_stage__key",
        "to_stage__key",
        "sent_at",
        "due_at",
        "status",
        "responded_at",
        "rating",
        "completeness",
        "override_reason",
        "contract",
        "missing_feedback",
        "return_reason__label",
    )
    found = rows(handoffs) if rows else handoffs.iterator(chunk_size=BATCH)
    for *head, override, contract, missing, reason in found:
        overridden = 0
        if override and isinstance(contract, list):
            overridden = sum(
                1
                for item in contract
                if isinstance(item, dict) and item.get("required") and not item.get("met")
            )
        named = [str(item) for item in (missing or []) if isinstance(item, str)]
        yield (*head, overridden, named, reason or "")
