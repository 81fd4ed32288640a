"""Lead to won and speed to lead of the dashboards' copy without SQL: every
journey with an opening time, sorted by it, its win and first touch as
microseconds and its source as a small code, prepared once per copy; a view
selects the journeys opened in its period (a slice) and counts them. The
rows are those of bowtie._WON and _SPEED for the groupings the dashboards
show (all, source); test_prepared_stays.py compares the two."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onethread.insights.frames import member_of
from onethread.insights.prepared_funnel import DAY_US, NO_SOURCE
from onethread.insights.quantiles import quantile, selected

GROUPINGS = ("all", "source")


@dataclass(frozen=True)
class LeadIndex:
    opened: np.ndarray  # microseconds, ascending
    journey: np.ndarray
    won: np.ndarray  # microseconds (0 where unknown)
    won_known: np.ndarray
    touched: np.ndarray
    touched_known: np.ndarray
    sources: list[str]  # the labels of the source codes
    source: np.ndarray


def _micros(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    values = column.combine_chunks().cast(pa.int64())
    known = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(pc.fill_null(values, 0).to_numpy(), dtype=np.int64), known


def build(journeys: pa.Table) -> LeadIndex:
    columns = ["journey_id", "opened_at", "won_at", "first_touch_at", "source"]
    journeys = journeys.select(columns).filter(pc.is_valid(journeys["opened_at"]))
    opened, _ = _micros(journeys["opened_at"])
    order = np.argsort(opened, kind="stable")
    journeys = journeys.take(pa.array(order))
    won, won_known = _micros(journeys["won_at"])
    touched, touched_known = _micros(journeys["first_touch_at"])
    source = journeys["source"].combine_chunks()
    blank = pc.fill_null(pc.equal(source, ""), True)
    encoded = pc.dictionary_encode(pc.if_else(blank, NO_SOURCE, source))
    return LeadIndex(
        opened=opened[order],
        journey=np.asarray(journeys["journey_id"].to_numpy(), dtype=np.int64),
        won=won,
        won_known=won_known,
        touched=touched,
        touched_known=touched_known,
        sources=encoded.dictionary.to_pylist(),
        source=np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32),
    )


def _cohort(index: LeadIndex, kept: Any, bounds: tuple[int, int, int]) -> np.ndarray | slice:
    """The positions of the journeys opened in [start, end) and by now, kept."""
    start, end, now = bounds
    first = int(np.searchsorted(index.opened, start, side="left"))
    last = min(
        int(np.searchsorted(index.opened, end, side="left")),
        int(np.searchsorted(index.opened, now, side="right")),
    )
    if kept is None:
        return slice(first, max(last, first))
    at = np.arange(first, max(last, first))
    if len(at):
        at = at[member_of(pa.array(index.journey[at]), kept).to_numpy(zero_copy_only=False)]
    return at


def lead_rows(
    index: LeadIndex, kept: Any, bounds: tuple[int, int, int], by: str
) -> list[dict[str, Any]]:
    """Per group (all, or source): leads, won (by now) and the median and p90
    days from opening to the win, by leads (descending) then group."""
    at = _cohort(index, kept, bounds)
    opened, won = index.opened[at], index.won[at]
    codes = np.zeros(len(opened), dtype=np.int64) if by == "all" else index.source[at]
    labels = ["all"] if by == "all" else index.sources
    was_won = index.won_known[at] & (won <= bounds[2])
    days = (won[was_won] - opened[was_won]) / DAY_US
    won_codes = codes[was_won]
    leads = np.bincount(codes, minlength=len(labels))
    won_count = np.bincount(won_codes, minlength=len(labels))
    rows = []
    for code in np.flatnonzero(leads).tolist():
        mine = selected(days if by == "all" else days[won_codes == code], (0.5, 0.9))
        rows.append(
            {
                "grp": labels[code],
                "leads": int(leads[code]),
                "won": int(won_count[code]),
                "median_days": quantile(mine, 0.5),
                "p90_days": quantile(mine, 0.9),
            }
        )
    return sorted(rows, key=lambda row: (-row["leads"], row["grp"]))


def speed_row(index: LeadIndex, kept: Any, bounds: tuple[int, int, int]) -> dict[str, Any] | None:
    """Leads, those touched by now, the median days to the first touch (at
    least 0) and how many within an hour and a day; None without leads."""
    at = _cohort(index, kept, bounds)
    opened, touched = index.opened[at], index.touched[at]
    if len(opened) == 0:
        return None
    was_touched = index.touched_known[at] & (touched <= bounds[2])
    days = (touched[was_touched] - opened[was_touched]) / DAY_US
    seconds = np.maximum(days, 0.0) * 86400
    median = quantile(selected(seconds, (0.5,)), 0.5)
    return {
        "grp": "all",
        "leads": len(opened),
        "touched": len(seconds),
        "median_days": None if median is None else median / 86400,
        "within_hour": int(np.count_nonzero(seconds <= 3600)),
        "within_day": int(np.count_nonzero(seconds <= 86400)),
    }
