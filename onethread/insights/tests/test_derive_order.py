"""derive.visits and the funnel are vectorised over stays in (journey, event
id / seq) order; they must give the same result from rows in any order."""

import dataclasses

import pyarrow as pa

from onethread.insights import bowtie, derive
from onethread.insights.tests.data import NOW, PERIOD, day, frames, journey
from onethread.insights.tests.test_bowtie import GOES_BACK, LOST, NO_TIME, SAME_DAY, SKIPS, WON

ALL = (WON, LOST, SKIPS, GOES_BACK, SAME_DAY, NO_TIME)


def reversed_rows(table: pa.Table) -> pa.Table:
    return table.take(pa.array(range(table.num_rows - 1, -1, -1)))


def test_visits_number_and_close_the_stays_of_each_journey_in_log_order():
    events = pa.Table.from_pylist(
        [
            {"event_id": 7, "journey_id": 2, "kind": "stage_entered", "stage": "lead"},
            {"event_id": 3, "journey_id": 1, "kind": "stage_entered", "stage": "closing"},
            {"event_id": 1, "journey_id": 1, "kind": "stage_entered", "stage": "lead"},
            {"event_id": 2, "journey_id": 1, "kind": "value_recorded", "stage": "lead"},
        ],
        schema=derive.EVENTS,
    )

    rows = derive.visits(events).to_pylist()

    assert [(r["journey_id"], r["seq"], r["stage"], r["next_stage"]) for r in rows] == [
        (1, 1, "lead", "closing"),
        (1, 2, "closing", None),
        (2, 1, "lead", None),
    ]


def test_visits_of_no_stage_changes_is_an_empty_table():
    assert derive.visits(derive.EVENTS.empty_table()).num_rows == 0


def test_the_funnel_is_the_same_whatever_the_order_of_the_stays():
    ordered = frames(*ALL)
    shuffled = dataclasses.replace(ordered, visits=reversed_rows(ordered.visits))
    groupings = ("all", "cohort", "source", "team", "member")

    assert bowtie.funnels(shuffled, PERIOD, NOW, groupings) == bowtie.funnels(
        ordered, PERIOD, NOW, groupings
    )


def test_a_stay_entered_after_now_is_left_out_and_one_left_after_now_is_open():
    moving = journey(9, [("qualification", 1), ("closing", 30)])

    rows = bowtie.funnel(frames(moving), PERIOD, day(10))

    qualification = next(row for row in rows if row["stage"] == "qualification")
    assert (qualification["entered"], qualification["advanced"]) == (1, 0)
    assert qualification["median_days_in_stage"] is None  # not finished by `now`
    assert next(row for row in rows if row["stage"] == "closing")["entered"] == 0
