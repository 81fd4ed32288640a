"""The health score of a journey after the sale: pure maths over plain facts.

Each component scores 0 to 1; the score is their weighted mean times 100,
and each component's contribution (in points) is shown beside it:

- engagement: the last interaction within ENGAGED_DAYS scores 1, falling to
  0 at SILENT_DAYS;
- open tickets: 1 with none open, a quarter less per open ticket (urgent
  ones count double);
- promises kept: kept / (kept + broken + overdue); 1 when none was due;
- needs delivered: delivered / needs known (open ones included); a half
  when no need is known;
- value events: those of the last VALUE_WINDOW_DAYS against VALUE_TARGET."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from onethread.signals.models import HealthComponent

DEFAULT_WEIGHTS: dict[str, int] = {
    HealthComponent.ENGAGEMENT: 3,
    HealthComponent.OPEN_TICKETS: 2,
    HealthComponent.PROMISES_KEPT: 2,
    HealthComponent.NEEDS_DELIVERED: 2,
    HealthComponent.VALUE_EVENTS: 3,
}
ENGAGED_DAYS = 7
SILENT_DAYS = 60
VALUE_WINDOW_DAYS = 30
VALUE_TARGET = 5


@dataclass(frozen=True)
class HealthFacts:
    last_interaction: dt.datetime | None
    open_tickets: int
    urgent_tickets: int
    promises_kept: int
    promises_broken: int
    promises_overdue: int
    needs_known: int
    needs_delivered: int
    recent_value_events: int


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    score: float  # 0 to 1
    weight: int
    contribution: float  # points of the 100
    detail: str


def _clamp(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 3)


def _engagement(facts: HealthFacts, now: dt.datetime) -> tuple[float, str]:
    if facts.last_interaction is None:
        return 0.0, "no interaction logged"
    days = max((now - facts.last_interaction).days, 0)
    score = 1 - (days - ENGAGED_DAYS) / (SILENT_DAYS - ENGAGED_DAYS)
    return _clamp(score), f"last interaction {days} day{'s' if days != 1 else ''} ago"


def _tickets(facts: HealthFacts) -> tuple[float, str]:
    weighted = facts.open_tickets + facts.urgent_tickets
    return _clamp(1 - 0.25 * weighted), f"{facts.open_tickets} open ({facts.urgent_tickets} urgent)"


def _promises(facts: HealthFacts) -> tuple[float, str]:
    due = facts.promises_kept + facts.promises_broken + facts.promises_overdue
    if not due:
        return 1.0, "none due yet"
    return _clamp(facts.promises_kept / due), (
        f"{facts.promises_kept} of {due} kept"
        f"{f', {facts.promises_overdue} overdue' if facts.promises_overdue else ''}"
    )


def _needs(facts: HealthFacts) -> tuple[float, str]:
    if not facts.needs_known:
        return 0.5, "no need known"
    return _clamp(facts.needs_delivered / facts.needs_known), (
        f"{facts.needs_delivered} of {facts.needs_known} delivered"
    )


def _value(facts: HealthFacts) -> tuple[float, str]:
    return _clamp(facts.recent_value_events / VALUE_TARGET), (
        f"{facts.recent_value_events} in the last {VALUE_WINDOW_DAYS} days"
    )


def health(
    facts: HealthFacts, *, now: dt.datetime, weights: Mapping[str, int] | None = None
) -> tuple[float, list[Component]]:
    """The score (0 to 100) and each component with its contribution."""
    chosen = {**DEFAULT_WEIGHTS, **(weights or {})}
    parts = {
        HealthComponent.ENGAGEMENT: _engagement(facts, now),
        HealthComponent.OPEN_TICKETS: _tickets(facts),
        HealthComponent.PROMISES_KEPT: _promises(facts),
        HealthComponent.NEEDS_DELIVERED: _needs(facts),
        HealthComponent.VALUE_EVENTS: _value(facts),
    }
    total_weight = sum(chosen[key] for key in parts) or 1
    components = [
        Component(
            key=str(key),
            label=str(HealthComponent(key).label),
            score=score,
            weight=chosen[key],
            contribution=round(100 * score * chosen[key] / total_weight, 1),
            detail=detail,
        )
        for key, (score, detail) in parts.items()
    ]
    total = sum(score * chosen[key] for key, (score, _) in parts.items())
    return round(100 * total / total_weight, 1), components
