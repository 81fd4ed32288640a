"""Medians and percentiles of values already sorted, to the last bit what
DuckDB's quantile_cont (and median) give: the prepared views compute them in
numpy and must match the SQL that defines them.

DuckDB interpolates at RN = (n - 1) * q between the values at floor(RN) and
ceil(RN) as lo * (1 - d) + hi * d with d = RN - floor(RN), the sum fused
(one rounding: its build contracts it into an FMA). Python 3.12 has no
math.fma, so the fused sum is done exactly with fractions, once per group:
a view has at most a few thousand groups. test_quantiles.py checks this
against DuckDB on random data, so a DuckDB that rounds otherwise shows."""

from fractions import Fraction

import numpy as np


def fused(lo: float, d: float, hi: float) -> float:
    """lo * (1 - d) + hi * d rounded once, as DuckDB's interpolation."""
    return float(Fraction(lo) * Fraction(1.0 - d) + Fraction(hi * d))


def quantile(values: np.ndarray, q: float) -> float | None:
    """The q-quantile of values sorted ascending, as quantile_cont gives it
    (None when there are none)."""
    count = len(values)
    if count == 0:
        return None
    position = (count - 1) * q
    low, high = int(np.floor(position)), int(np.ceil(position))
    lo = float(values[low])
    return lo if low == high else fused(lo, position - low, float(values[high]))


def selected(values: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """The values (in any order) partitioned so that every position
    `quantile` reads for these qs holds the value sorting would put there: a
    selection, linear, where sorting is not."""
    count = len(values)
    if count == 0:
        return values
    positions: set[int] = set()
    for q in qs:
        position = (count - 1) * q
        positions.update((int(np.floor(position)), int(np.ceil(position))))
    return np.partition(values, sorted(positions))


def runs(codes: np.ndarray, values: np.ndarray, groups: int, presorted: bool) -> list[np.ndarray]:
    """The values of each group code in range(groups), each run ascending.
    Each group's values come in ascending order among themselves already;
    `presorted`: the groups come one after the other too, otherwise a stable
    sort on the code (a radix sort for small codes) brings them together."""
    if len(codes) == 0:
        return [values[:0]] * groups
    counts = np.bincount(codes, minlength=groups)
    if not presorted:
        narrow = codes.astype(np.int16) if groups < 2**15 else codes
        values = values[np.argsort(narrow, kind="stable")]
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    return [values[start:end] for start, end in zip(starts, ends, strict=True)]


def merged(run: np.ndarray, more: np.ndarray) -> np.ndarray:
    """Two ascending runs as one (`more` is the short one)."""
    if len(more) == 0:
        return run
    return np.insert(run, np.searchsorted(run, more), more)
