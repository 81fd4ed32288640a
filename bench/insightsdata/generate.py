"""Seeded, deterministic journeys and their event log for the insights bench.

Shape: every journey opens as a lead in 2024-2025 (one of ten teams, 200
owners, five sources); it moves on through qualification, closing (the
commit), onboarding, adoption and expansion with falling odds, with gaps of
days between stages; journeys that stop are disqualified, lost or churned
(with a reason) or stay open. Won journeys record monthly value events
(amounts vary, most grow). Every journey has exactly EVENTS_PER_JOURNEY
events: the rest are notes, interactions, handoffs and other events the
insights ignore but the log holds. Event ids follow time within a journey.

`generate(n)` gives (events, base): arrow tables in derive.EVENTS and
derive.BASE schemas, plus the kind of every event for the database."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from onethread.insights import derive

EVENTS_PER_JOURNEY = 20
TEAMS = 10
OWNERS = 200
SOURCES = np.array(["web", "referral", "event", "partner", "outbound"])
SOURCE_ODDS = [0.4, 0.2, 0.15, 0.15, 0.1]
ACTIVE = ["lead", "qualification", "closing", "onboarding", "adoption", "expansion"]
ADVANCE = [0.62, 0.55, 0.5, 0.85, 0.35]  # odds of moving on from each active stage
MEAN_DAYS = [3.0, 9.0, 21.0, 30.0, 60.0]
OUTCOMES = ["disqualified", "lost", "churned"]
STAGES = [*ACTIVE, *OUTCOMES]
KINDS = [
    *("stage_entered", "value_recorded", "note_added", "interaction_logged"),
    *("interaction_logged", "handoff_sent", "need_captured"),
]
START = np.datetime64("2024-01-01T00:00:00", "us")
OPEN_SPAN_DAYS = 730
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Generated:
    events: pa.Table  # derive.EVENTS, every event (kind as in the log)
    base: pa.Table  # derive.BASE
    current_stage: pa.Array  # each journey's stage now


def _days(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    return (rng.exponential(mean, size) * DAY_US).astype("int64") + 3_600_000_000


def _full(size: int, code: int) -> np.ndarray:
    return np.full(size, code, dtype="int8")


def _nan(size: int) -> np.ndarray:
    return np.full(size, np.nan)


def generate(journeys: int, seed: int = 2026) -> Generated:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, journeys + 1, dtype="int64")
    opened = START + (rng.random(journeys) * OPEN_SPAN_DAYS * DAY_US).astype("int64").astype(
        "timedelta64[us]"
    )
    reached = np.ones(journeys, dtype="int64")  # how many active stages entered
    moving = np.ones(journeys, dtype=bool)
    for odds in ADVANCE:
        moving &= rng.random(journeys) < odds
        reached += moving
    times = [opened.astype("int64")]
    for index in range(1, len(ACTIVE)):
        times.append(times[-1] + _days(rng, MEAN_DAYS[index - 1], journeys))
    times_arr = np.stack(times, axis=1)  # (journeys, 6) entry time if reached
    last = times_arr[np.arange(journeys), reached - 1]
    # Who stops: disqualified/lost before the commit, churned after it, or open.
    ends = rng.random(journeys)
    outcome = np.full(journeys, "", dtype=object)
    won = reached >= 4
    outcome[(reached <= 2) & (ends < 0.75)] = "disqualified"
    outcome[(reached == 3) & (ends < 0.8)] = "lost"
    outcome[won & (ends < 0.18)] = "churned"
    closed = outcome != ""
    closed_at = last + _days(rng, 12.0, journeys)
    reasons = np.array(["no budget", "chose a competitor", "not a fit", "no reply", "moved on"])
    reason = np.where(closed, reasons[rng.integers(0, len(reasons), journeys)], "")
    won_at = times_arr[:, 3]
    now_us = np.datetime64(NOW.replace(tzinfo=None), "us").astype("int64")
    # Value: monthly from a few weeks after the win, up to twelve months, never after now.
    months = np.where(won, rng.integers(0, 13, journeys), 0)
    first_value = won_at + _days(rng, 25.0, journeys)
    room = np.maximum((now_us - first_value) // (30 * DAY_US) + 1, 0)
    months = np.minimum(months, room)
    stage_count = reached + closed
    filler = EVENTS_PER_JOURNEY - stage_count - months
    touched = rng.random(journeys) < 0.92
    first_touch = opened.astype("int64") + _days(rng, 0.3, journeys)

    # Every event as (journey, time, kind code, stage code, amount); codes index
    # KINDS and STAGES (-1: no stage), so no Python object per event.
    outcome_code = np.select(
        [outcome == key for key in OUTCOMES], [len(ACTIVE) + i for i in range(3)], -1
    )
    parts: list[tuple[np.ndarray, ...]] = []
    for index in range(len(ACTIVE)):
        mask = reached > index
        size = int(mask.sum())
        parts.append(
            (ids[mask], times_arr[mask, index], _full(size, 0), _full(size, index), _nan(size))
        )
    size = int(closed.sum())
    parts.append((ids[closed], closed_at[closed], _full(size, 0), outcome_code[closed], _nan(size)))
    value_j = np.repeat(ids, months)
    nth = np.arange(value_j.size) - np.repeat(np.cumsum(months) - months, months)
    base_amount = np.repeat(rng.lognormal(5.5, 0.8, journeys), months)
    parts.append(
        (
            value_j,
            np.repeat(first_value, months) + nth * 30 * DAY_US,
            _full(value_j.size, 1),
            _full(value_j.size, -1),
            np.round(base_amount * (1 + 0.03 * nth), 2),
        )
    )
    other_j = np.repeat(ids, filler)
    span = np.maximum(np.repeat(last - opened.astype("int64"), filler), DAY_US)
    other_t = np.repeat(opened.astype("int64"), filler) + (rng.random(other_j.size) * span).astype(
        "int64"
    )
    other_kind = rng.integers(2, len(KINDS), other_j.size).astype("int8")
    parts.append((other_j, other_t, other_kind, _full(other_j.size, -1), _nan(other_j.size)))

    journey_col, time_col, kind_col, stage_col, amount_col = (
        np.concatenate([part[i] for part in parts]) for i in range(5)
    )
    order = np.lexsort((time_col, journey_col))
    stage_codes = stage_col[order]
    count = journey_col.size
    time_type = derive.EVENTS.field("occurred_at").type
    events = pa.table(
        {
            "event_id": pa.array(np.arange(1, count + 1, dtype="int64")),
            "journey_id": pa.array(journey_col[order]),
            "kind": pa.DictionaryArray.from_arrays(pa.array(kind_col[order]), pa.array(KINDS)).cast(
                pa.string()
            ),
            "stage": pa.DictionaryArray.from_arrays(
                pa.array(stage_codes, mask=stage_codes < 0), pa.array(STAGES)
            ).cast(pa.string()),
            "occurred_at": pa.array(time_col[order].astype("datetime64[us]")).cast(time_type),
            "amount": pa.array(amount_col[order], pa.float64(), from_pandas=True),
        },
        schema=derive.EVENTS,
    )
    current = np.where(closed, outcome, np.array(ACTIVE, dtype=object)[reached - 1])
    ts = derive.BASE.field("opened_at").type
    base = pa.table(
        {
            "journey_id": ids,
            "team_id": (ids % TEAMS) + 1,
            "source": pa.array(SOURCES[rng.choice(len(SOURCES), journeys, p=SOURCE_ODDS)]),
            "owner_id": rng.integers(1, OWNERS + 1, journeys),
            "opened_at": pa.array(opened).cast(ts),
            "first_touch_at": pa.array(first_touch.astype("datetime64[us]"), mask=~touched).cast(
                ts
            ),
            "won_at": pa.array(won_at.astype("datetime64[us]"), mask=~won).cast(ts),
            "closed_at": pa.array(closed_at.astype("datetime64[us]"), mask=~closed).cast(ts),
            "outcome": pa.array(np.where(closed, outcome, None), pa.string()),
            "outcome_reason": pa.array(reason.astype(object), pa.string()),
        },
        schema=derive.BASE,
    )
    return Generated(events=events, base=base, current_stage=pa.array(current, pa.string()))
