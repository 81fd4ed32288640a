"""Hand-written frames for the pure metric tests: journeys told as their
events, turned into frames by derive.py as the refresh does."""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from onethread.insights import derive
from onethread.insights.frames import Frames, Period
from onethread.journeys.stages import DEFAULT_STAGES

T0 = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
PERIOD = Period(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
NOW = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)

STAGES = [
    {
        "key": key,
        "name": name,
        "position": index * 10,
        "kind": kind,
        "side": side,
        "owner_role": role,
    }
    for index, (key, name, kind, side, role) in enumerate(DEFAULT_STAGES, start=1)
]


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def maybe_day(n: float | None) -> dt.datetime | None:
    """A day, or None for an unknown time."""
    return None if n is None else day(n)


def journey(
    journey_id: int,
    steps: Sequence[tuple[str, float | None]],
    *,
    source: str = "web",
    team: int = 1,
    owner: int | None = None,
    opened: float = 0,
    won: float | None = None,
    touched: float | None = None,
    outcome: str | None = None,
    reason: str = "",
    values: Sequence[tuple[float | None, float]] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A journey (base row) and its events: stage changes (stage, day or None
    for an unknown time) and value events (day, amount)."""
    closed = None
    if outcome is not None:
        closed = next(when for key, when in steps if key == outcome)
    base = {
        "journey_id": journey_id,
        "team_id": team,
        "source": source,
        "owner_id": owner,
        "opened_at": day(opened),
        "first_touch_at": maybe_day(touched),
        "won_at": maybe_day(won),
        "closed_at": maybe_day(closed),
        "outcome": outcome,
        "outcome_reason": reason,
    }
    events: list[dict[str, Any]] = [
        {
            "journey_id": journey_id,
            "kind": "stage_entered",
            "stage": key,
            "occurred_at": maybe_day(when),
        }
        for key, when in [("lead", opened), *steps]
    ]
    events += [
        {
            "journey_id": journey_id,
            "kind": "value_recorded",
            "stage": "onboarding",
            "occurred_at": maybe_day(when),
            "amount": amount,
        }
        for when, amount in values
    ]
    return base, events


def frames(*journeys: tuple[dict[str, Any], list[dict[str, Any]]], **others: Any) -> Frames:
    bases = [base for base, _ in journeys]
    events = [event for _, evs in journeys for event in evs]
    for number, event in enumerate(events, start=1):
        event["event_id"] = number
    events_table = pa.Table.from_pylist(events, schema=derive.EVENTS)
    base_table = pa.Table.from_pylist(bases, schema=derive.BASE)
    empty = Frames.of(stages=STAGES, **others)
    return dataclasses.replace(
        empty,
        journeys=derive.journeys(base_table, events_table),
        visits=derive.visits(events_table),
        monthly_value=derive.monthly_value(events_table),
    )
