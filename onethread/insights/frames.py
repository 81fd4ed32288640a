"""The plain data the metrics read: columnar frames (pyarrow tables) queried
with DuckDB, an explicit Period, and the filters a dashboard offers.

Engine: DuckDB over Arrow tables, chosen by measurement (docs/metrics.md).
Every frame has a fixed schema (below); `empty_frames()` gives all of them
with no rows, and `Frames.of(...)` builds them from rows in tests.

API (for dashboards and benchmarks):
- `Frames`: one arrow table per name in SCHEMAS.
- `Period(start, end)`: half-open [start, end), aware datetimes.
- `restrict(frames, Filters(team=, source=, cohort=, member=))`: the frames
  limited to the journeys that match (members and stages stay whole).
- `sql(query, params, **tables)`: run DuckDB SQL over arrow tables.
"""

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TIME = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    # The bow tie's stages in order; kind is active or outcome.
    "stages": pa.schema(
        [
            ("key", pa.string()),
            ("name", pa.string()),
            ("position", pa.int32()),
            ("kind", pa.string()),
            ("side", pa.string()),
            ("owner_role", pa.string()),
        ]
    ),
    # One row per journey: its current state and what the refresh derived.
    "journeys": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("team_id", pa.int64()),
            ("source", pa.string()),
            ("owner_id", pa.int64()),
            ("opened_at", TIME),
            ("first_touch_at", TIME),
            ("won_at", TIME),
            ("closed_at", TIME),
            ("outcome", pa.string()),
            ("outcome_reason", pa.string()),
            ("first_value_at", TIME),
            ("revenue_after_won", pa.float64()),
        ]
    ),
    # One row per stay in a stage (a journey that goes back stays twice).
    "visits": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("seq", pa.int32()),
            ("stage", pa.string()),
            ("entered_at", TIME),
            ("left_at", TIME),
            ("next_stage", pa.string()),
        ]
    ),
    # Value delivered per journey and calendar month (UTC).
    "monthly_value": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("month", pa.date32()),
            ("amount", pa.float64()),
            ("events", pa.int64()),
        ]
    ),
    "handoffs": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("from_member_id", pa.int64()),
            ("to_member_id", pa.int64()),
            ("from_stage", pa.string()),
            ("to_stage", pa.string()),
            ("sent_at", TIME),
            ("due_at", TIME),
            ("status", pa.string()),
            ("responded_at", TIME),
            ("rating", pa.int32()),
            ("completeness", pa.float64()),
            ("overridden_items", pa.int32()),
            ("missing", pa.list_(pa.string())),
            ("return_reason", pa.string()),
        ]
    ),
    "needs": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("captured_stage", pa.string()),
            ("captured_side", pa.string()),
            ("status", pa.string()),
            ("captured_at", TIME),
            ("in_deal", pa.bool_()),
        ]
    ),
    "commitments": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("made_stage", pa.string()),
            ("made_by_member_id", pa.int64()),
            ("status", pa.string()),
            ("made_at", TIME),
            ("due_on", pa.date32()),
        ]
    ),
    "interactions": pa.schema([("journey_id", pa.int64()), ("occurred_at", TIME)]),
    "discoveries": pa.schema(
        [("journey_id", pa.int64()), ("stage", pa.string()), ("occurred_at", TIME)]
    ),
    "tickets": pa.schema(
        [("journey_id", pa.int64()), ("status", pa.string()), ("resolved_at", TIME)]
    ),
    # Who worked which journey at which stage (the account team).
    "seats": pa.schema(
        [
            ("journey_id", pa.int64()),
            ("member_id", pa.int64()),
            ("stage", pa.string()),
            ("owned", pa.bool_()),
        ]
    ),
    # One row per member and role held (the primary one and the secondary ones).
    "members": pa.schema(
        [
            ("member_id", pa.int64()),
            ("name", pa.string()),
            ("role", pa.string()),
            ("team_id", pa.int64()),
            ("primary", pa.bool_()),
        ]
    ),
}


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("A period needs aware datetimes.")
        if self.end < self.start:
            raise ValueError("A period ends after it starts.")

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


EVERYTHING = Period(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC))


@dataclass(frozen=True)
class Frames:
    stages: pa.Table
    journeys: pa.Table
    visits: pa.Table
    monthly_value: pa.Table
    handoffs: pa.Table
    needs: pa.Table
    commitments: pa.Table
    interactions: pa.Table
    discoveries: pa.Table
    tickets: pa.Table
    seats: pa.Table
    members: pa.Table

    @classmethod
    def of(cls, **rows: Sequence[Mapping[str, Any]]) -> "Frames":
        """Frames from lists of dicts (missing columns are null); for tests."""
        tables = {}
        for name, schema in SCHEMAS.items():
            given = rows.pop(name, [])
            columns = {f.name: [row.get(f.name) for row in given] for f in schema}
            tables[name] = pa.table(columns, schema=schema)
        if rows:
            raise TypeError(f"Unknown frames: {sorted(rows)}")
        return cls(**tables)

    def tables(self) -> dict[str, pa.Table]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def empty_frames() -> Frames:
    return Frames.of()


@dataclass(frozen=True)
class Filters:
    """Which journeys to look at; None means all."""

    team: int | None = None
    source: str | None = None
    cohort: dt.date | None = None  # the month the journey opened (UTC)
    member: int | None = None  # journeys this member worked (account team)

    @property
    def any(self) -> bool:
        return any(
            value is not None for value in (self.team, self.source, self.cohort, self.member)
        )


def restrict(frames: Frames, filters: Filters) -> Frames:
    """The frames limited to the journeys matching every filter. Each table
    is filtered when a metric first reads it: a dashboard reads a few of the
    twelve, and filtering the stays of a million journeys costs more than
    most metrics."""
    if not filters.any:
        return frames
    journeys = frames.journeys
    mask = pc.is_valid(journeys["journey_id"])
    if filters.team is not None:
        mask = pc.and_(mask, pc.equal(journeys["team_id"], filters.team))
    if filters.source is not None:
        mask = pc.and_(mask, pc.equal(journeys["source"], filters.source))
    if filters.cohort is not None:
        # The UTC month as a range: vectorised, no row goes through Python.
        first = dt.datetime(filters.cohort.year, filters.cohort.month, 1, tzinfo=dt.UTC)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        opened = journeys["opened_at"]
        in_month = pc.and_(
            pc.greater_equal(opened, pa.scalar(first, TIME)),
            pc.less(opened, pa.scalar(after, TIME)),
        )
        mask = pc.and_(mask, pc.fill_null(in_month, False))
    if filters.member is not None:
        seats = frames.seats
        worked = pc.filter(seats["journey_id"], pc.equal(seats["member_id"], filters.member))
        mask = pc.and_(mask, member_of(journeys["journey_id"], worked))
    restricted = _Restricted.over(frames, pc.filter(journeys["journey_id"], mask))
    if not isinstance(frames, _Restricted):  # the mask is over the source's journeys
        object.__setattr__(restricted, "_journeys_mask", mask)
    return restricted


class _Restricted(Frames):
    """Frames whose journey-level tables are filtered on first read (kept in
    the instance afterwards); the others are the original tables."""

    _source: Frames
    _kept: pa.Array
    _journeys_mask: pa.Array | None = None  # the source's journeys kept, when at hand

    @classmethod
    def over(cls, frames: Frames, kept: pa.Array | pa.ChunkedArray) -> "_Restricted":
        # Restricting again: the new journeys are among the first ones kept.
        frames, _ = unrestricted(frames)
        restricted = object.__new__(cls)
        object.__setattr__(restricted, "_source", frames)
        object.__setattr__(restricted, "_kept", kept)
        return restricted

    def __getattr__(self, name: str) -> Any:
        # Only called for what the instance does not hold yet: a table.
        if name not in SCHEMAS:
            raise AttributeError(name)
        table = getattr(self._source, name)
        if name == "journeys" and self._journeys_mask is not None:
            table = table.filter(self._journeys_mask)
        elif "journey_id" in table.column_names:
            table = table.filter(member_of(table["journey_id"], self._kept))
        object.__setattr__(self, name, table)
        return table


def unrestricted(frames: Frames) -> tuple[Frames, pa.Array | pa.ChunkedArray | None]:
    """The frames `restrict` started from, and the journeys it kept (None:
    the frames are not restricted)."""
    if isinstance(frames, _Restricted):
        return frames._source, frames._kept
    return frames, None


_DERIVED_LOCK = threading.Lock()


def derived[T](frames: Frames, key: str, compute: Callable[[Frames], T]) -> T:
    """compute(frames), computed once per frames object and kept with it (the
    dashboards' copy of the frames lives as long as its checkpoint). A
    frames made by `replace` or `restrict` starts with nothing kept."""
    with _DERIVED_LOCK:
        kept = frames.__dict__.setdefault("_derived", {})
    if key not in kept:
        kept.setdefault(key, compute(frames))
    return cast(T, kept[key])


def kept_derived(frames: Frames, key: str) -> Any:
    """What `derived` keeps for the frames under that key, or None."""
    return frames.__dict__.get("_derived", {}).get(key)


def member_of(ids: pa.Array | pa.ChunkedArray, kept: pa.Array | pa.ChunkedArray) -> pa.Array:
    """For each id, whether it is among `kept` (a null id is not). Journey ids
    are dense integers: a lookup table over their range costs a few ms for
    millions of ids, where pyarrow's is_in takes up to a second."""
    kept = kept.drop_null()
    if len(ids) == 0 or len(kept) == 0:
        return pa.array(np.zeros(len(ids), dtype=bool))
    wanted = np.asarray(kept.to_numpy(), dtype=np.int64)
    valid = None
    if ids.null_count:
        valid = pc.is_valid(ids).to_numpy(zero_copy_only=False)
        ids = pc.fill_null(ids, int(wanted[0]))
    values = np.asarray(ids.to_numpy(), dtype=np.int64)
    low = min(int(values.min()), int(wanted.min()))
    high = max(int(values.max()), int(wanted.max()))
    if high - low > 4 * (values.size + wanted.size) + (1 << 20):  # sparse ids: sort instead
        found = np.isin(values, wanted)
    else:
        table = np.zeros(high - low + 1, dtype=bool)
        table[wanted - low] = True
        found = table[values - low]
    return pa.array(found if valid is None else found & valid)


def sql(query: str, params: Mapping[str, Any] | None = None, **tables: pa.Table) -> list[dict]:
    """Rows (as dicts) of a DuckDB query over the given arrow tables."""
    with connect(**tables) as con:
        return fetch(con, query, params)


def fetch(
    con: duckdb.DuckDBPyConnection, query: str, params: Mapping[str, Any] | None = None
) -> list[dict]:
    """Rows (as dicts) of one query on an open connection."""
    cursor = con.execute(query, _used(query, params))
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()] if names else []


def sql_table(query: str, params: Mapping[str, Any] | None = None, **tables: pa.Table) -> pa.Table:
    """The result of a DuckDB query over arrow tables, as an arrow table."""
    with connect(**tables) as con:
        return con.sql(query, params=_used(query, params)).to_arrow_table()


def _used(query: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters the query names (DuckDB refuses extra ones)."""
    named = set(re.findall(r"\$(\w+)", query))
    return {key: value for key, value in (params or {}).items() if key in named}


class _Database:
    """One in-memory DuckDB database per process, opened on first use; every
    query gets a cursor of its own (its own registered tables and temporary
    tables, dropped when it closes). Opening a database costs 20-100 ms, a
    cursor microseconds: a dashboard runs a dozen queries per view."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._root: duckdb.DuckDBPyConnection | None = None
        self._pid = 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._root is None or self._pid != os.getpid():  # not across a fork
                self._root, self._pid = _open(), os.getpid()
            return self._root.cursor()


def _open() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # Months and days are counted in UTC whatever the machine's zone.
    con.execute("set TimeZone='UTC'")
    # Elapsed time and UTC months by integer arithmetic: 5-10x faster than
    # interval and time-zone functions on timestamptz.
    con.execute("create macro days_between(a, b) as (epoch_us(b) - epoch_us(a)) / 86400e6")
    con.execute("create macro utc_month(t) as date_trunc('month', make_timestamp(epoch_us(t)))")
    return con


_DATABASE = _Database()


def connect(**tables: pa.Table) -> duckdb.DuckDBPyConnection:
    """A cursor on the process's DuckDB database with these arrow tables
    registered under their names (close it, or use it as a context manager)."""
    con = _DATABASE.cursor()
    for name, table in tables.items():
        con.register(name, table)
    return con


def days(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 86400


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def rows_of(tables: Iterable[pa.Table]) -> list[dict]:
    return [row for table in tables for row in table.to_pylist()]
