"""The funnel of the dashboards' copy without SQL: the prepared entries and
finished stays (stays.py) encoded once as numpy arrays, so a view only
selects and counts.

Built with the prepared stays: per grouping (all, cohort, source, team,
member) a small integer code per row and its labels, as bowtie.RAW_GROUPS
labels them; per entry its stage index, whether it advanced and its ending
(outcome, reason); the finished stays of active stages with both times known
sorted by (stage, days in stage), so the median and p90 of any selection of
them are order statistics of what stays in order (quantiles.py), and those
without a time apart (they are only counted). A view gives the rows the SQL
of bowtie.funnels gives over the frames (_COUNTS and _DROPS), to the last
bit; test_prepared_stays.py compares the two on many drawn journeys."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onethread.insights.frames import member_of
from onethread.insights.quantiles import merged, quantile, runs

NO_SOURCE = "(no source)"
NO_OWNER = "(no owner)"
DAY_US = 86400e6
# Bound on (group, stage, ending) combinations counted with a dense bincount.
DENSE = 1 << 22


@dataclass(frozen=True)
class Grouping:
    labels: list[str | None]  # per code
    entries: np.ndarray  # the code of each entry
    timed: np.ndarray  # of each timed finished stay
    untimed: np.ndarray  # of each finished stay without a time


@dataclass(frozen=True)
class FunnelIndex:
    keys: list[str]  # the stage key of each index (1-based: keys[idx - 1])
    # Entries, in opening order (as the prepared entries).
    entry_opened: np.ndarray
    entry_journey: np.ndarray
    entry_idx: np.ndarray
    entry_advanced: np.ndarray
    entry_ending: np.ndarray  # code in `endings`
    endings: list[tuple[str, str]]  # (outcome or "open", reason or "")
    # Finished stays of active stages with both times, sorted by (idx, days).
    timed_opened: np.ndarray
    timed_journey: np.ndarray
    timed_idx: np.ndarray
    timed_days: np.ndarray
    # Those without one of the times.
    untimed_opened: np.ndarray
    untimed_journey: np.ndarray
    untimed_idx: np.ndarray
    groupings: dict[str, Grouping]


def _ints(column: pa.ChunkedArray | pa.Array, null: int = 0) -> np.ndarray:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_timestamp(array.type):
        array = array.cast(pa.int64())
    return np.asarray(pc.fill_null(array, null).to_numpy(zero_copy_only=False), dtype=np.int64)


def _encoded(labels: pa.Array) -> tuple[list[str | None], np.ndarray]:
    """Codes and their labels of a string column (null is a label of its own)."""
    encoded = pc.dictionary_encode(labels, null_encoding="encode")
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return encoded.dictionary.to_pylist(), codes


def _group_labels(by: str, journeys: pa.Table) -> tuple[list[str | None], np.ndarray]:
    """Per journey its group code in grouping `by`, and the labels: as
    bowtie.RAW_GROUPS labels them."""
    if by == "all":
        return ["all"], np.zeros(journeys.num_rows, dtype=np.int64)
    if by == "cohort":
        opened = _ints(journeys["opened_at"]).astype("datetime64[us]")
        month = opened.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        months, codes = np.unique(month, return_inverse=True)
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months.tolist()], codes
    if by == "source":
        source = journeys["source"].combine_chunks()
        blank = pc.fill_null(pc.equal(source, ""), True)
        return _encoded(pc.if_else(blank, NO_SOURCE, source))
    column = journeys["team_id" if by == "team" else "owner_id"].combine_chunks()
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    values = encoded.dictionary.to_pylist()
    if by == "team":
        return [None if v is None else str(v) for v in values], codes
    return [NO_OWNER if v is None else str(v) for v in values], codes


GROUPINGS = ("all", "cohort", "source", "team", "member")


def small(codes: np.ndarray) -> np.ndarray:
    """Codes kept in 32 bits (a copy holds millions; counting widens them)."""
    return codes.astype(np.int32)


def _endings(journeys: pa.Table) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Per journey its ending (outcome or "open", reason or "") as a code."""
    outcomes, outcome = _encoded(pc.fill_null(journeys["outcome"].combine_chunks(), "open"))
    reasons, reason = _encoded(pc.fill_null(journeys["outcome_reason"].combine_chunks(), ""))
    width = max(len(reasons), 1)
    pairs, ending = np.unique(outcome * width + reason, return_inverse=True)
    return [(str(outcomes[p // width]), str(reasons[p % width])) for p in pairs.tolist()], ending


def build(
    entries: pa.Table, finished: pa.Table, journeys: pa.Table, stages: pa.Table
) -> FunnelIndex:
    """The index of prepared entries and finished stays and their journeys
    (stays._rows: each row names its journey's row in `journeys`)."""
    ordered = sorted(stages.to_pylist(), key=lambda s: (s["position"], s["key"]))
    active = np.array([False] + [s["kind"] == "active" for s in ordered])
    finished = finished.filter(pa.array(active[_ints(finished["idx"])]))
    entered, left = finished["entered_at"], finished["left_at"]
    has_times = pc.and_(pc.is_valid(entered), pc.is_valid(left)).to_numpy(zero_copy_only=False)
    timed_rows = np.flatnonzero(has_times)
    days = (_ints(left)[timed_rows] - _ints(entered)[timed_rows]) / DAY_US
    f_idx = _ints(finished["idx"])
    by_days = np.lexsort((days, f_idx[timed_rows]))
    order, days = timed_rows[by_days], days[by_days]
    untimed = np.flatnonzero(~has_times)
    entry_row, finished_row = _ints(entries["row"]), _ints(finished["row"])
    opened = _ints(journeys["opened_at"])
    groupings = {}
    for by in GROUPINGS:
        labels, codes = _group_labels(by, journeys)
        of_finished = codes[finished_row]
        groupings[by] = Grouping(
            labels,
            small(codes[entry_row]),
            small(of_finished[order]),
            small(of_finished[untimed]),
        )
    endings, ending = _endings(journeys)
    journey = _ints(finished["journey_id"])
    return FunnelIndex(
        keys=[s["key"] for s in ordered],
        entry_opened=opened[entry_row],
        entry_journey=_ints(entries["journey_id"]),
        entry_idx=small(_ints(entries["idx"])),
        entry_advanced=np.asarray(
            entries["advanced"].combine_chunks().to_numpy(zero_copy_only=False), dtype=bool
        ),
        entry_ending=small(ending[entry_row]),
        endings=endings,
        timed_opened=opened[finished_row][order],
        timed_journey=journey[order],
        timed_idx=small(f_idx[order]),
        timed_days=days,
        untimed_opened=opened[finished_row][untimed],
        untimed_journey=journey[untimed],
        untimed_idx=small(f_idx[untimed]),
        groupings=groupings,
    )


def _in_cohort(
    opened: np.ndarray, journey: np.ndarray, bounds: tuple[int, int, int], kept: Any
) -> np.ndarray:
    """The positions of the rows opened in [start, end) and by now, and kept."""
    start, end, now = bounds
    at = np.flatnonzero((opened >= start) & (opened < end) & (opened <= now))
    if kept is not None and len(at):
        at = at[member_of(pa.array(journey[at]), kept).to_numpy(zero_copy_only=False)]
    return at


@dataclass(frozen=True)
class _Selected:
    """The rows of one index a view counts, each keyed by (group, stage) as
    group * stages + stage index, the groups in the view's labels."""

    entry_key: np.ndarray
    advanced: np.ndarray
    ending: np.ndarray
    timed_key: np.ndarray
    days: np.ndarray  # ascending within each stage
    untimed_key: np.ndarray


def _keys(codes: np.ndarray, table: np.ndarray | None, idx: np.ndarray, stages: int) -> np.ndarray:
    """group * stages + idx, the codes translated through `table` (None: as
    they are)."""
    groups = codes.astype(np.int64) if table is None else table[codes]
    return groups * stages + idx


def _select(
    index: FunnelIndex,
    by: str,
    rows: tuple[np.ndarray | slice, np.ndarray, np.ndarray],
    stages: int,
    labels: np.ndarray | None = None,
    endings: np.ndarray | None = None,
) -> _Selected:
    """The rows at these positions (entries, timed, untimed), their group codes
    and endings translated through `labels` and `endings` (None: as they are)."""
    entries, timed, untimed = rows
    grouping = index.groupings[by]
    entry_idx = index.entry_idx[entries]
    ending = index.entry_ending[entries]
    if by == "all" and labels is None:  # one group, code 0: the key is the stage
        entry_key = entry_idx.astype(np.int64)
    else:
        entry_key = _keys(grouping.entries[entries], labels, entry_idx, stages)
    return _Selected(
        entry_key,
        index.entry_advanced[entries],
        ending.astype(np.int64) if endings is None else endings[ending],
        _keys(grouping.timed[timed], labels, index.timed_idx[timed], stages),
        index.timed_days[timed],
        _keys(grouping.untimed[untimed], labels, index.untimed_idx[untimed], stages),
    )


def joined[T](known: list[T], more: list[T]) -> tuple[list[T], np.ndarray]:
    """`known` extended with the values of `more` it lacks, and where each
    value of `more` is in it."""
    joined = list(known)
    where = {value: code for code, value in enumerate(joined)}
    codes = []
    for value in more:
        if value not in where:
            where[value] = len(joined)
            joined.append(value)
        codes.append(where[value])
    return joined, np.array(codes, dtype=np.int64)


def funnel_rows(
    index: FunnelIndex,
    kept: Any,
    bounds: tuple[int, int, int],
    late: "FunnelIndex | None",
    groupings: tuple[str, ...],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(counts, drops) rows of the journeys opened in [start, end) and by
    now (`bounds`, in microseconds), kept (None: all), as the prepared SQL
    gives them: counts (gby, grp, stage, entered, advanced, median_days,
    p90_days, excluded) per group and stage entered; drops (gby, grp, stage,
    outcome, reason, journeys) of the entries that did not advance, by
    journeys (descending), outcome and reason. `late`: the index of the rows
    of the cohort's journeys with a stay after the cutoff, every row counted."""
    start, end, now = bounds
    first = int(np.searchsorted(index.entry_opened, start, side="left"))
    last = min(
        int(np.searchsorted(index.entry_opened, end, side="left")),
        int(np.searchsorted(index.entry_opened, now, side="right")),
    )
    entries: np.ndarray | slice = slice(first, max(last, first))
    if kept is not None and last > first:
        journeys = pa.array(index.entry_journey[first:last])
        entries = first + np.flatnonzero(member_of(journeys, kept).to_numpy(zero_copy_only=False))
    rows = (
        entries,
        _in_cohort(index.timed_opened, index.timed_journey, bounds, kept),
        _in_cohort(index.untimed_opened, index.untimed_journey, bounds, kept),
    )
    endings, late_endings = index.endings, np.zeros(0, dtype=np.int64)
    if late is not None:
        endings, late_endings = joined(index.endings, late.endings)
    counts: list[dict[str, Any]] = []
    drops: list[dict[str, Any]] = []
    for by in groupings:
        labels = index.groupings[by].labels
        stages = len(index.keys) + 1
        parts = [_select(index, by, rows, stages)]
        if late is not None:
            labels, late_labels = joined(labels, late.groupings[by].labels)
            everything = (
                slice(None),
                np.arange(len(late.timed_idx)),
                np.arange(len(late.untimed_idx)),
            )
            parts.append(_select(late, by, everything, stages, late_labels, late_endings))
        view = _View(by, labels, index.keys, endings)
        counts.extend(view.counts(parts))
        drops.extend(view.drops(parts))
    return counts, drops


@dataclass(frozen=True)
class _View:
    by: str
    labels: list[str | None]
    keys: list[str]
    endings: list[tuple[str, str]]

    @property
    def stages(self) -> int:
        return len(self.keys) + 1

    @property
    def size(self) -> int:
        return len(self.labels) * self.stages

    def _tally(self, keys: list[np.ndarray]) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.int64)
        for key in keys:
            total += np.bincount(key, minlength=self.size)
        return total

    def counts(self, parts: list[_Selected]) -> list[dict[str, Any]]:
        entered = self._tally([part.entry_key for part in parts])
        moved = self._tally([part.entry_key[part.advanced] for part in parts])
        excluded = self._tally([part.untimed_key for part in parts])
        found = np.flatnonzero(entered).tolist()
        days = self._runs(parts)
        rows = []
        for code in found:
            rows.append(
                {
                    "gby": self.by,
                    "grp": self.labels[code // self.stages],
                    "stage": self.keys[code % self.stages - 1],
                    "entered": int(entered[code]),
                    "advanced": int(moved[code]),
                    "median_days": quantile(days[code], 0.5),
                    "p90_days": quantile(days[code], 0.9),
                    "excluded": int(excluded[code]),
                }
            )
        return rows

    def _runs(self, parts: list[_Selected]) -> list[np.ndarray]:
        """Each (group, stage)'s days in stage, ascending."""
        main, *rest = parts
        found = runs(main.timed_key, main.days, self.size, presorted=self.by == "all")
        for part in rest:
            order = np.lexsort((part.days, part.timed_key))
            more = runs(part.timed_key[order], part.days[order], self.size, presorted=True)
            found = [merged(run, extra) for run, extra in zip(found, more, strict=True)]
        return found

    def drops(self, parts: list[_Selected]) -> list[dict[str, Any]]:
        width = max(len(self.endings), 1)
        combined = np.concatenate(
            [
                p.entry_key[stopped] * width + p.ending[stopped]
                for p in parts
                for stopped in [~p.advanced]
            ]
        )
        if self.size * width <= DENSE:
            tally = np.bincount(combined, minlength=self.size * width)
            found = np.flatnonzero(tally)
            numbers = tally[found]
        else:
            found, numbers = np.unique(combined, return_counts=True)
        rows = []
        for code, journeys in zip(found.tolist(), numbers.tolist(), strict=True):
            group_stage, end = divmod(code, width)
            outcome, reason = self.endings[end]
            rows.append(
                {
                    "gby": self.by,
                    "grp": self.labels[group_stage // self.stages],
                    "stage": self.keys[group_stage % self.stages - 1],
                    "outcome": outcome,
                    "reason": reason,
                    "journeys": journeys,
                }
            )
        rows.sort(key=lambda row: (-row["journeys"], row["outcome"], row["reason"]))
        return rows
