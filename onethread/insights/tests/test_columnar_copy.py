"""The dashboards' per-process columnar copy follows the aggregates: rows a
refresh wrote are spliced in, anything odd brings a full reload; results are
cached for a bounded time."""

import datetime as dt
import threading

import pyarrow as pa
import pytest
from django.utils import timezone

from onethread.handoffs.services import send_handoff
from onethread.insights import adapter, bowtie, services, stays
from onethread.insights.columnar import (
    FULL_RELOAD_SECONDS,
    RESULT_SECONDS,
    ColumnarCopy,
    Results,
    follow,
)
from onethread.insights.frames import EVERYTHING
from onethread.insights.models import Checkpoint, JourneyFact
from onethread.insights.tests.journeys import day, journey_through, record_value
from onethread.journeys.models import Stage
from onethread.journeys.services import add_note, move_stage
from onethread.team.models import Role
from tests.builders import make_member, transition

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def journey_level(frames) -> dict[str, list[dict]]:
    def rows(table: pa.Table) -> list[dict]:
        keys = [k for k in ("journey_id", "seq", "month") if k in table.column_names]
        return sorted(table.to_pylist(), key=lambda row: tuple(row[k] for k in keys))

    return {name: rows(getattr(frames, name)) for name in ("journeys", "visits", "monthly_value")}


def unordered(table: pa.Table) -> list[str]:
    return sorted(map(repr, table.to_pylist()))


@pytest.fixture
def owner():
    return make_member(Role.AE)


def test_rows_written_after_the_copys_checkpoint_are_spliced_in(owner):
    won = journey_through(owner, [("qualification", 1), ("closing", 3), ("onboarding", 6)])
    journey_through(owner, [("qualification", 2), ("lost", 4)], source="event")
    services.refresh_insights()
    copy = ColumnarCopy()
    copy.frames()
    record_value(won, "80", 9)
    journey_through(owner, [("qualification", 5)], opened=4)
    services.refresh_insights()

    frames, state = copy.frames()

    assert (copy.reloads, copy.increments) == (1, 1)
    assert journey_level(frames) == journey_level(adapter.read_frames())
    assert frames.journeys.num_rows == 3
    assert state[0] == Checkpoint.objects.get().last_event_id


def test_the_context_rows_of_rewritten_journeys_follow_too(owner):
    journey = journey_through(owner, [("qualification", 1)])
    journey_through(owner, [("qualification", 2)])
    services.refresh_insights()
    copy = ColumnarCopy()
    copy.frames()
    receiver = make_member(Role.AE, team=owner.team)
    to_closing = transition("qualification", "closing").to_stage
    send_handoff(
        journey,
        by=owner.user,
        to_stage=to_closing,
        to_member=receiver,
        override_reason="Asked for a quote",
        at=day(3),
    )
    services.refresh_insights()

    frames, _ = copy.frames()

    fresh = adapter.read_frames()
    assert copy.increments == 1
    assert frames.handoffs.num_rows == 1
    for name in ("handoffs", "seats", "members"):
        assert unordered(getattr(frames, name)) == unordered(getattr(fresh, name)), name


def test_an_unchanged_checkpoint_costs_one_query(owner, django_assert_num_queries):
    journey_through(owner, [("qualification", 1)])
    services.refresh_insights()
    copy = ColumnarCopy()
    copy.frames()

    with django_assert_num_queries(1):
        copy.frames()


def test_a_full_refresh_a_checkpoint_gone_back_or_an_old_copy_bring_a_full_reload(owner):
    journey_through(owner, [("qualification", 1), ("closing", 2)])
    services.refresh_insights()
    clock = Clock()
    copy = ColumnarCopy(clock=clock)
    copy.frames()
    services.refresh_insights(full=True)  # the same last event, at a new time
    copy.frames()
    assert copy.reloads == 2
    Checkpoint.objects.update(last_event_id=1)
    copy.frames()
    assert copy.reloads == 3

    clock.now += FULL_RELOAD_SECONDS + 1
    copy.frames()

    assert copy.reloads == 4
    assert copy.increments == 0


def test_deleted_aggregate_rows_bring_a_full_reload(owner):
    first = journey_through(owner, [("qualification", 1)])
    journey_through(owner, [("qualification", 2)])
    services.refresh_insights()
    copy = ColumnarCopy()
    copy.frames()
    JourneyFact.objects.filter(journey=first).delete()
    journey_through(owner, [("closing", 3)])
    services.refresh_insights()

    frames, _ = copy.frames()

    assert copy.reloads == 2
    assert frames.journeys.num_rows == JourneyFact.objects.count() == 2


def test_results_are_computed_once_then_served_until_they_age():
    clock = Clock()
    results = Results(clock=clock)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert results.get_or_compute("key", compute) == 1
    assert results.get_or_compute("key", compute) == 1
    clock.now += RESULT_SECONDS + 1
    assert results.get_or_compute("key", compute) == 2
    assert results.get_or_compute("other", compute) == 3


def test_a_followed_copy_is_served_as_it_is_and_the_follower_brings_it_up_to_date(
    owner, django_assert_num_queries
):
    journey_through(owner, [("qualification", 1)])
    services.refresh_insights()
    copy = ColumnarCopy()
    stop = threading.Event()
    stop.set()  # one pass of the follower's loop
    follow(copy, stop)
    journey_through(owner, [("qualification", 2)])
    services.refresh_insights()

    with django_assert_num_queries(0):
        frames, state = copy.frames()
    assert frames.journeys.num_rows == 1
    assert stays.kept_derived(frames, stays.KEY) is not None  # prepared before it is served

    frames, state = copy.update()
    assert frames.journeys.num_rows == 2
    assert state[0] == Checkpoint.objects.get().last_event_id
    assert copy.frames()[0] is frames


def test_a_refresh_that_recomputed_no_journey_leaves_the_copys_rows_as_they_are(owner):
    journey = journey_through(owner, [("qualification", 1), ("closing", 2)])
    services.refresh_insights()
    copy = ColumnarCopy()
    before = journey_level(copy.frames()[0])
    add_note(journey, "Nothing changes.", by=owner.user)
    assert services.refresh_insights().journeys == 0

    frames, _ = copy.frames()

    assert copy.increments == 1
    assert journey_level(frames) == before == journey_level(adapter.read_frames())


def test_a_followed_copys_spliced_preparation_counts_what_a_fresh_one_does(owner):
    moving = journey_through(owner, [("qualification", 1), ("closing", 3)])
    journey_through(owner, [("qualification", 2), ("lost", 4)], source="event")
    services.refresh_insights()
    copy = ColumnarCopy()
    copy.frames()
    move_stage(moving, Stage.objects.get(key="onboarding"), by=owner.user, at=day(8))
    journey_through(owner, [("qualification", 5), ("closing", 6)], opened=4, source="event")
    services.refresh_insights()

    frames, _ = copy.frames()

    assert copy.increments == 1
    now = timezone.now() + dt.timedelta(minutes=1)
    groupings = ("all", "cohort", "source", "team", "member")
    assert stays.prepared_index(frames, EVERYTHING.start, EVERYTHING.end, now) is not None
    expected = bowtie.funnels(adapter.read_frames(), EVERYTHING, now, groupings)
    assert bowtie.funnels(frames, EVERYTHING, now, groupings) == expected
    assert expected["all"]["all"][3]["entered"] == 1  # onboarding: the journey that moved
