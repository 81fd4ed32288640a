"""The insights dashboards: which metrics each page needs and how it shows
them, and the one read the views make (frames from the per-process columnar
copy, restricted by the filters, metrics computed once per checkpoint)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onethread.insights import outcome_panels, panels, registry
from onethread.insights.access import Scope
from onethread.insights.columnar import COPY, RESULTS
from onethread.insights.frames import Filters, Period, restrict
from onethread.insights.panels import Panel


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    intro: str
    metrics: tuple[str, ...]
    build: Callable[[dict[str, Any]], list[Panel]]


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard(
        "bow-tie",
        "Bow tie",
        "Journeys opened in the period: volume, conversion and time per stage on both sides "
        "of the commit, lead to won, speed to lead and sources.",
        ("funnel", "lead_to_won", "speed_to_lead", "by_source"),
        panels.bow_tie,
    ),
    Dashboard(
        "funnel",
        "Funnel and drop-off",
        "Journeys opened in the period that stopped at each stage, where they went and why.",
        ("funnel",),
        panels.funnel,
    ),
    Dashboard(
        "time-in-stage",
        "Time in stage",
        "Days spent in each stage (median and 90th percentile) by journeys opened in the "
        "period, overall and by cohort.",
        ("funnel", "funnel_by_cohort"),
        panels.time_in_stage,
    ),
    Dashboard(
        "handoffs",
        "Handoff health",
        "Handoffs sent in the period on the journeys shown: latency, acceptance and returns, "
        "contract completeness and ratings.",
        ("handoffs",),
        outcome_panels.handoffs,
    ),
    Dashboard(
        "continuity",
        "Context continuity",
        "Needs carried through the sale, promises by the stage that made them, discovery "
        "repeated after a handoff, and silences.",
        ("needs_carried", "promises", "repeated_discovery", "silences"),
        outcome_panels.continuity,
    ),
    Dashboard(
        "after-the-sale",
        "After the sale",
        "Journeys won in the period: activation, time to first value, retention by cohort, "
        "gross and net revenue retention, expansion.",
        ("post_sale", "retention", "revenue_retention"),
        outcome_panels.after_sale,
    ),
    Dashboard(
        "scorecards",
        "Scorecards",
        "Each member's stage-local number beside the outcome of the journeys they worked "
        "(opened in the period), and per role how far the two rankings disagree.",
        ("scorecards",),
        lambda results: [],  # built by dashboard_panels with the viewer's scope
    ),
)
BY_SLUG = {dashboard.slug: dashboard for dashboard in DASHBOARDS}


def compute(
    dashboard: Dashboard, filters: Filters, period: Period, now: dt.datetime
) -> tuple[dict[str, Any], tuple[int, str]]:
    """The dashboard's metric results and the checkpoint they reflect."""
    frames, state = COPY.frames()
    key = (state, dashboard.slug, filters, period)

    def run() -> dict[str, Any]:
        return registry.compute_all(restrict(frames, filters), period, now, dashboard.metrics)

    return RESULTS.get_or_compute(key, run), state


def dashboard_panels(
    dashboard: Dashboard, results: dict[str, Any], scope: Scope, team_members: frozenset[int]
) -> list[Panel]:
    if dashboard.slug == "scorecards":
        return outcome_panels.scorecards(
            results,
            lambda member_id: scope.sees_card(member_id, team_members),
            names=scope.cards != "self",
        )
    return dashboard.build(results)
