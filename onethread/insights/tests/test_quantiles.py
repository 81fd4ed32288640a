"""The numpy quantiles of the prepared views give DuckDB's quantile_cont and
median to the last bit (the definitions are written in DuckDB SQL)."""

import numpy as np
import pyarrow as pa
import pytest

from onethread.insights.frames import sql
from onethread.insights.quantiles import merged, quantile, runs, selected


def duckdb_quantiles(micros: np.ndarray) -> tuple[float | None, float | None]:
    row = sql(
        "select median(x / 86400e6) as m, quantile_cont(x / 86400e6, 0.9) as p from t",
        t=pa.table({"x": pa.array(micros, pa.int64())}),
    )[0]
    return row["m"], row["p"]


@pytest.mark.parametrize("seed", range(4))
def test_quantiles_match_duckdb_on_random_durations(seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        size = int(rng.integers(1, 80))
        micros = rng.integers(-(10**11), 10**12, size) * rng.integers(1, 1000, size)
        values = np.sort(micros / 86400e6)
        expected = duckdb_quantiles(micros)

        assert (quantile(values, 0.5), quantile(values, 0.9)) == expected
        part = selected(rng.permutation(values), (0.5, 0.9))
        assert (quantile(part, 0.5), quantile(part, 0.9)) == expected


@pytest.mark.parametrize(
    "micros",
    [[5], [0, 0], [86_400_000_000, 0], [3, 3, 3, 3], [-7, 2, 2, 10**15], list(range(11))],
)
def test_quantiles_match_duckdb_on_edge_cases(micros):
    values = np.sort(np.array(micros, dtype=np.int64) / 86400e6)

    assert (quantile(values, 0.5), quantile(values, 0.9)) == duckdb_quantiles(np.array(micros))


def test_no_values_have_no_quantile():
    assert quantile(np.array([], dtype=float), 0.5) is None


def test_runs_bring_each_groups_values_together_in_order():
    codes = np.array([2, 0, 2, 1, 0])
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])

    found = runs(codes, values, 4, presorted=False)

    assert [run.tolist() for run in found] == [[2.0, 5.0], [4.0], [1.0, 3.0], []]
    assert merged(np.array([1.0, 4.0]), np.array([0.5, 4.0, 9.0])).tolist() == [
        0.5,
        1.0,
        4.0,
        4.0,
        9.0,
    ]
