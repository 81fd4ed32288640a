"""Shared goals: what each measure is and how its progress is read from the
insights metrics. Nothing is counted here: every value is taken from a
registry metric (onethread.insights.registry) over the frames restricted to
the goal's scope (Filters(team=) or Filters(member=)) and its period, so a
goal and the insights pages can never disagree. docs/training.md defines
every measure."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pyarrow.compute as pc

from onethread.insights import registry
from onethread.insights.frames import Filters, Frames, Period, restrict

TEAM = "team"
MEMBER = "member"
SDR_ROLES = ("sdr", "lead_generation")


@dataclass(frozen=True)
class Scope:
    team_id: int
    member_id: int | None = None  # None: the whole team

    @property
    def filters(self) -> Filters:
        if self.member_id is not None:
            return Filters(member=self.member_id)
        return Filters(team=self.team_id)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str  # "journey" (whole-journey outcome) or "stage"
    unit: str  # "count", "percent" or "rating"
    metric: str  # the registry key it is read from
    read: Callable[[Any, Frames, Scope], float | None]
    scopes: tuple[str, ...] = (TEAM, MEMBER)
    # For a member: keep only the rows they sent or made, not all rows of
    # the journeys they worked.
    own_rows: str | None = None


def _qualified(result: list[dict[str, Any]], frames: Frames, scope: Scope) -> float | None:
    stages = [
        row
        for row in frames.stages.to_pylist()
        if row["kind"] == "active" and row["owner_role"] in SDR_ROLES
    ]
    if not stages:
        return None
    last = max(stages, key=lambda row: row["position"])["key"]
    return float(sum(row["advanced"] for row in result if row["stage"] == last))


def _promises_kept(result: list[dict[str, Any]], frames: Frames, scope: Scope) -> float | None:
    kept = sum(row["kept"] for row in result)
    decided = kept + sum(row["broken"] for row in result)
    return kept / decided if decided else None


def _retention(result: list[dict[str, Any]], frames: Frames, scope: Scope) -> float | None:
    won = sum(row["won"] for row in result)
    return sum(row["retained"] for row in result) / won if won else None


def _scorecard(field: str) -> Callable[[Any, Frames, Scope], float | None]:
    """The member's scorecard for their primary role (members frame)."""

    def read(result: dict[str, Any], frames: Frames, scope: Scope) -> float | None:
        primary = {
            row["role"]
            for row in frames.members.to_pylist()
            if row["member_id"] == scope.member_id and row["primary"]
        }
        for card in result["members"]:
            if card["member_id"] == scope.member_id and card["role"] in primary:
                value = card[field]
                return None if value is None else float(value)
        return None

    return read


def _field(*path: str) -> Callable[[Any, Frames, Scope], float | None]:
    def read(result: Any, frames: Frames, scope: Scope) -> float | None:
        for key in path:
            if result is None:
                return None
            result = result[key]
        return None if result is None else float(result)

    return read


MEASURES: tuple[Measure, ...] = (
    Measure(
        "first_year_retention",
        "First-year retention of the deals touched",
        "journey",
        "percent",
        "scorecards",
        _scorecard("first_year_retention"),
        scopes=(MEMBER,),
    ),
    Measure(
        "retention",
        "Deals won in the period still customers",
        "journey",
        "percent",
        "retention",
        _retention,
    ),
    Measure(
        "handoff_rating",
        "Handoff rating from the next stage",
        "journey",
        "rating",
        "handoffs",
        _field("overall", "average_rating"),
        own_rows="handoffs",
    ),
    Measure(
        "promises_kept",
        "Promises kept",
        "journey",
        "percent",
        "promises",
        _promises_kept,
        own_rows="commitments",
    ),
    Measure(
        "activation",
        "Deals won in the period that reached first value",
        "journey",
        "percent",
        "post_sale",
        _field("activation_rate"),
    ),
    Measure("leads_qualified", "Leads qualified", "stage", "count", "funnel", _qualified),
    Measure("deals_won", "Deals won", "stage", "count", "post_sale", _field("won")),
    Measure(
        "tickets_resolved",
        "Tickets resolved",
        "stage",
        "count",
        "scorecards",
        _scorecard("tickets_resolved"),
        scopes=(MEMBER,),
    ),
)
BY_KEY = {measure.key: measure for measure in MEASURES}
CHOICES = [(measure.key, measure.label) for measure in MEASURES]

_OWNER_COLUMN = {"handoffs": "from_member_id", "commitments": "made_by_member_id"}


def scoped_frames(frames: Frames, measure: Measure, scope: Scope) -> Frames:
    """The frames restricted to the scope, with the insights' own Filters."""
    scoped = restrict(frames, scope.filters)
    if scope.member_id is not None and measure.own_rows:
        table = getattr(scoped, measure.own_rows)
        own = table.filter(pc.equal(table[_OWNER_COLUMN[measure.own_rows]], scope.member_id))
        scoped = replace(scoped, **{measure.own_rows: own})
    return scoped


def measured(
    measure: Measure, frames: Frames, scope: Scope, period: Period, now: dt.datetime
) -> float | None:
    """The measure's value in its unit (a percent for rates); None when
    there is nothing to measure yet."""
    scoped = scoped_frames(frames, measure, scope)
    value = measure.read(registry.compute(measure.metric, scoped, period, now), scoped, scope)
    if value is not None and measure.unit == "percent":
        value *= 100
    return value


@dataclass(frozen=True)
class Progress:
    value: float | None
    target: float
    unit: str

    @property
    def share(self) -> float | None:
        """How far to the target, 0..1 (capped), for the progress bar."""
        if self.value is None or self.target <= 0:
            return None
        return min(self.value / self.target, 1.0)

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.target


def progress(
    measure: Measure,
    target: Decimal | float,
    frames: Frames,
    scope: Scope,
    period: Period,
    now: dt.datetime,
) -> Progress:
    return Progress(measured(measure, frames, scope, period, now), float(target), measure.unit)


def period_of(starts_on: dt.date, ends_on: dt.date, tz: dt.tzinfo) -> Period:
    """From the first day to the last, inclusive, in the time zone tz."""
    start = dt.datetime.combine(starts_on, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Period(start, end)
