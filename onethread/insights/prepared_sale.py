"""After the sale, for the dashboards' copy: the won journeys in order of
their win and the value months in order of month, prepared once per copy,
so a view hands DuckDB the few rows its period can match (a slice, kept in
the frames' own order) instead of a scan of every journey. The queries stay
those of post_sale.py, their conditions applied to the slice as before."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onethread.insights.frames import member_of

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SaleIndex:
    won: np.ndarray  # the won journeys' win times (microseconds), ascending
    won_rows: np.ndarray  # their rows in the journeys frame
    months: np.ndarray  # the value months (days since 1970), ascending
    month_rows: np.ndarray  # their rows in the monthly value frame


def _ordered(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The valid values (as integers) ascending, and their rows."""
    array = values.combine_chunks()
    rows = np.flatnonzero(pc.is_valid(array).to_numpy(zero_copy_only=False))
    numbers = np.asarray(array.cast(pa.int64()).filter(pc.is_valid(array)).to_numpy())
    order = np.argsort(numbers, kind="stable")
    return numbers[order], rows[order]


def build(journeys: pa.Table, monthly_value: pa.Table) -> SaleIndex:
    won, won_rows = _ordered(journeys["won_at"])
    months, month_rows = _ordered(monthly_value["month"].cast(pa.int32()))
    return SaleIndex(won, won_rows, months, month_rows)


def _taken(table: pa.Table, rows: np.ndarray, kept: Any, columns: tuple[str, ...]) -> pa.Table:
    """These rows of a frame, in its own order (a sum adds them in the order
    it would have), of kept journeys; only the columns a query reads."""
    taken = table.select(["journey_id", *columns]).take(pa.array(np.sort(rows)))
    if kept is not None:
        taken = taken.filter(member_of(taken["journey_id"], kept))
    return taken


def won_between(
    index: SaleIndex,
    journeys: pa.Table,
    kept: Any,
    start: dt.datetime,
    end: dt.datetime,
    columns: tuple[str, ...],
) -> pa.Table:
    """The journeys won in [start, end] (both ends included: a superset the
    query narrows), kept."""
    bounds = [(moment - EPOCH) // dt.timedelta(microseconds=1) for moment in (start, end)]
    first = int(np.searchsorted(index.won, bounds[0], side="left"))
    last = int(np.searchsorted(index.won, bounds[1], side="right"))
    return _taken(journeys, index.won_rows[first:last], kept, columns)


def months_between(
    index: SaleIndex, monthly_value: pa.Table, kept: Any, first: dt.date, last: dt.date
) -> pa.Table:
    """The value months from `first` to `last` (included), kept."""
    days = [(day - EPOCH.date()).days for day in (first, last)]
    start = int(np.searchsorted(index.months, days[0], side="left"))
    end = int(np.searchsorted(index.months, days[1], side="right"))
    return _taken(monthly_value, index.month_rows[start:end], kept, ("month",))
