"""The metric registry: every metric is one entry (key, title, family, unit,
function). A function takes (frames, period, now) and returns plain data
(dicts, lists, numbers; rates are fractions 0..1, durations are days); it
reads no database and never asks the clock.

    from onethread.insights import adapter, registry
    frames = restrict(adapter.read_frames(), Filters(team=3))
    registry.compute("funnel", frames, period, now)     # one metric
    registry.compute_all(frames, period, now)           # {key: result}

Adding a metric: write the function beside its family, add one Metric here,
define it in docs/metrics.md, and test it on hand-computed journeys."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onethread.insights import bowtie, continuity, handoff_health, post_sale, scorecards
from onethread.insights.frames import Frames, Period

MetricFunction = Callable[[Frames, Period, dt.datetime], Any]


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    family: str
    unit: str
    function: MetricFunction
    # A funnel grouping: compute_all builds the stays once for all of them.
    grouping: str | None = None


def _by(by: str) -> MetricFunction:
    def metric(frames: Frames, period: Period, now: dt.datetime) -> Any:
        return bowtie.funnel_by(frames, period, now, by)

    return metric


METRICS: tuple[Metric, ...] = (
    Metric("funnel", "Bow tie per stage", "bow tie", "journeys, rate, days", bowtie.funnel, "all"),
    Metric(
        "funnel_by_cohort",
        "Bow tie by month of entry",
        "bow tie",
        "per group",
        _by("cohort"),
        grouping="cohort",
    ),
    Metric(
        "funnel_by_source",
        "Bow tie by source",
        "bow tie",
        "per group",
        _by("source"),
        grouping="source",
    ),
    Metric(
        "funnel_by_team", "Bow tie by team", "bow tie", "per group", _by("team"), grouping="team"
    ),
    Metric(
        "funnel_by_member",
        "Bow tie by owner",
        "bow tie",
        "per group",
        _by("member"),
        grouping="member",
    ),
    Metric("lead_to_won", "Lead to won", "bow tie", "journeys, rate, days", bowtie.lead_to_won),
    Metric("by_source", "Lead to won by source", "bow tie", "journeys, rate", bowtie.by_source),
    Metric("speed_to_lead", "Speed to lead", "bow tie", "days, share", bowtie.speed_to_lead),
    Metric(
        "handoffs",
        "Handoff health",
        "handoffs",
        "handoffs, rate, days",
        handoff_health.handoff_health,
    ),
    Metric(
        "needs_carried",
        "Needs carried through the sale",
        "continuity",
        "needs, share",
        continuity.needs_carried,
    ),
    Metric(
        "promises",
        "Promises by the stage that made them",
        "continuity",
        "promises, rate",
        continuity.promises_by_stage,
    ),
    Metric(
        "repeated_discovery",
        "Repeated discovery per handoff",
        "continuity",
        "rate",
        continuity.repeated_discovery,
    ),
    Metric(
        "silences", "Silences between interactions", "continuity", "gaps, days", continuity.silences
    ),
    Metric(
        "post_sale",
        "Activation and first value",
        "after the sale",
        "journeys, rate, days",
        post_sale.post_sale,
    ),
    Metric(
        "retention",
        "Retention and churn by cohort",
        "after the sale",
        "journeys, rate",
        post_sale.retention_by_cohort,
    ),
    Metric(
        "revenue_retention",
        "GRR, NRR and expansion",
        "after the sale",
        "revenue, rate",
        post_sale.revenue_retention,
    ),
    Metric(
        "scorecards",
        "Whole-journey scorecards and gaps",
        "scorecards",
        "per member",
        scorecards.scorecards,
    ),
)

BY_KEY = {metric.key: metric for metric in METRICS}
FAMILIES = tuple(dict.fromkeys(metric.family for metric in METRICS))


def get(key: str) -> Metric:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"No metric {key!r}; known: {', '.join(BY_KEY)}") from None


def compute(key: str, frames: Frames, period: Period, now: dt.datetime) -> Any:
    return get(key).function(frames, period, now)


def _grouped_result(grouping: str, together: dict[str, Any], frames: Frames) -> Any:
    return bowtie.overall(together["all"], frames) if grouping == "all" else together[grouping]


def compute_all(
    frames: Frames, period: Period, now: dt.datetime, keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Every metric (or those named), in registry order. The funnel groupings
    are computed together, reading the stays once."""
    keys = keys or tuple(BY_KEY)
    grouped: dict[str, str] = {}
    for key in keys:
        grouping = get(key).grouping
        if grouping is not None:
            grouped[key] = grouping
    together = bowtie.funnels(frames, period, now, tuple(grouped.values())) if grouped else {}
    return {
        key: _grouped_result(grouped[key], together, frames)
        if key in grouped
        else compute(key, frames, period, now)
        for key in keys
    }
