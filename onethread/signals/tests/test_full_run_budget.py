"""The full run is bounded in time: it looks at journeys slice by slice,
stops after the slice that takes it past its budget, and the next run
resumes where it stopped."""

import datetime as dt
import itertools

import pytest

from onethread.signals.models import Checkpoint, Signal
from onethread.signals.runner import FULL, run_full
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


def silent_journeys(count: int) -> list[int]:
    owner = make_member(Role.SDR)
    return [make_journey(owner=owner, at=NOW - dt.timedelta(days=40)).pk for _ in range(count)]


def ticking(seconds_per_call: float):
    """A clock that moves on by seconds_per_call at each reading."""
    ticks = itertools.count()
    return lambda: next(ticks) * seconds_per_call


def silenced() -> list[int]:
    return sorted(Signal.objects.filter(detector="silence").values_list("journey_id", flat=True))


def test_a_run_past_its_budget_stops_after_the_slice_and_the_next_resumes_there():
    journeys = silent_journeys(3)

    run_full(now=NOW, budget_s=1, slice_size=2, clock=ticking(1))
    assert silenced() == journeys[:2]
    assert Checkpoint.objects.get(name=FULL).last_event_id == journeys[1]

    run_full(now=NOW, budget_s=1, slice_size=2, clock=ticking(1))
    assert silenced() == journeys
    assert Checkpoint.objects.get(name=FULL).last_event_id == 0  # the pass is complete


def test_within_its_budget_a_run_covers_every_journey_once():
    journeys = silent_journeys(3)

    runs = run_full(now=NOW, budget_s=60, slice_size=1, clock=ticking(1))

    assert silenced() == journeys
    assert sum(run.raised for run in runs) == 3
    assert sum(run.raised for run in run_full(now=NOW, slice_size=1)) == 0
