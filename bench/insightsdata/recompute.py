"""The full recompute (onethread.insights: derive.py then registry.compute_all
over every metric) and the pandas baseline, on the generated data."""

import datetime as dt
import time
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bench.insightsdata.generate import NOW, OWNERS, TEAMS
from onethread.insights import derive, registry
from onethread.insights.frames import Frames, Period
from onethread.journeys.stages import DEFAULT_STAGES

PERIOD = Period(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
ROLES = ("sdr", "ae", "csm", "onboarding")


def stages() -> list[dict[str, Any]]:
    return [
        {"key": k, "name": n, "position": i * 10, "kind": kind, "side": side, "owner_role": role}
        for i, (k, n, kind, side, role) in enumerate(DEFAULT_STAGES, start=1)
    ]


def members() -> list[dict[str, Any]]:
    return [
        {
            "member_id": n,
            "name": f"Member {n}",
            "role": ROLES[n % len(ROLES)],
            "team_id": n % TEAMS + 1,
            "primary": True,
        }
        for n in range(1, OWNERS + 1)
    ]


DERIVED_KINDS = [derive.STAGE_ENTERED, derive.VALUE_RECORDED]


def derive_input(events: pa.Table) -> pa.Table:
    """What adapter.read_events reads: stage changes and value events only."""
    return events.filter(pc.is_in(events["kind"], value_set=pa.array(DERIVED_KINDS)))


def context(base: pa.Table) -> Frames:
    """Stages, members and the account team (the owner's seat on each journey)."""
    frames = Frames.of(stages=stages(), members=members())
    seats = pa.table(
        {
            "journey_id": base["journey_id"],
            "member_id": base["owner_id"],
            "stage": pa.nulls(base.num_rows, pa.string()),
            "owned": pa.array([True] * base.num_rows),
        }
    ).cast(frames.seats.schema)
    return replace(frames, seats=seats)


def full_recompute(events: pa.Table, base: pa.Table) -> dict[str, Any]:
    """Time derive and compute_all; the results of the compared metrics."""
    began = time.perf_counter()
    journeys = derive.journeys(base, events)
    visits = derive.visits(events)
    monthly = derive.monthly_value(events)
    derived = time.perf_counter()
    frames = replace(context(base), journeys=journeys, visits=visits, monthly_value=monthly)
    results = registry.compute_all(frames, PERIOD, NOW)
    done = time.perf_counter()
    return {
        "derive_s": derived - began,
        "metrics_s": done - derived,
        "total_s": done - began,
        "results": results,
        "visits": visits.num_rows,
        "monthly_rows": monthly.num_rows,
    }


def compared_recompute(events: pa.Table, base: pa.Table) -> float:
    """derive + the metrics the pandas baseline also computes."""
    from bench.insightsdata.baseline import COMPARED

    began = time.perf_counter()
    frames = replace(
        context(base),
        journeys=derive.journeys(base, events),
        visits=derive.visits(events),
        monthly_value=derive.monthly_value(events),
    )
    registry.compute_all(frames, PERIOD, NOW, COMPARED)
    return time.perf_counter() - began


def pandas_recompute(events: pa.Table, base: pa.Table) -> dict[str, Any]:
    import pandas as pd

    from bench.insightsdata import baseline

    events_df, base_df = events.to_pandas(), base.to_pandas()
    stages_df = pd.DataFrame(stages())
    began = time.perf_counter()
    results = baseline.compute(events_df, base_df, stages_df, PERIOD.start, PERIOD.end, NOW)
    return {"total_s": time.perf_counter() - began, "results": results}


def agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, bool]:
    """A few figures both must agree on."""
    lead = theirs["lead_to_won"][0]
    entered = [row["entered"] for row in ours["funnel"]]
    advanced = [row["advanced"] for row in ours["funnel"]]
    return {
        "leads": ours["lead_to_won"]["leads"] == lead["leads"],
        "won": ours["lead_to_won"]["won"] == int(lead["won"]),
        "funnel_entered": entered == [row["entered"] for row in theirs["funnel"]],
        "funnel_advanced": advanced == [row["advanced"] for row in theirs["funnel"]],
        "post_sale_won": ours["post_sale"]["won"] == theirs["post_sale"]["won"],
        "activated": ours["post_sale"]["activated"] == theirs["post_sale"]["activated"],
        "median_days_in_stage": all(
            _close(a["median_days_in_stage"], b["median_days_in_stage"])
            for a, b in zip(ours["funnel"], theirs["funnel"], strict=True)
        ),
    }


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None or b != b:
        return (a is None) == (b is None or b != b)
    return abs(a - b) < 1e-6
