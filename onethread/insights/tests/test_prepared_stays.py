"""The dashboards' prepared stays (stays.py) give exactly the funnel computed
from the frames, whatever the period, filters, groupings and `now`; journey
membership and lazy restriction give what a plain filter gives."""

import dataclasses
import datetime as dt

import pyarrow as pa
import pytest

from onethread.insights import bowtie, scorecards, stays
from onethread.insights.frames import Filters, Period, member_of, restrict
from onethread.insights.tests.data import NOW, PERIOD, day, frames, journey

GROUPINGS = ("all", "cohort", "source", "team", "member")
JOURNEYS = (
    journey(1, [("qualification", 2), ("closing", 5), ("onboarding", 9)], won=9, owner=7),
    journey(
        2, [("qualification", 1), ("lost", 4)], outcome="lost", reason="no budget", source="event"
    ),
    journey(3, [("closing", 3)], opened=1, source="event", team=2),
    journey(4, [("qualification", 1), ("closing", 2), ("qualification", 4)], owner=7),
    journey(5, [("qualification", 0), ("closing", 0)], source="", team=2),
    journey(6, [("qualification", None), ("closing", None), ("onboarding", 20)], won=20),
    journey(7, [("qualification", 40), ("closing", 70)], opened=35, team=2),
    # Stays after NOW (day 273): counted only from the `now` that reaches them.
    journey(8, [("qualification", 200), ("closing", 300), ("onboarding", 320)], opened=150),
    journey(9, [("qualification", 290)], opened=280, source="event"),
    journey(10, [("qualification", -40)], opened=-50),  # opened before the period
)
CASES = [
    (PERIOD, NOW),
    (PERIOD, day(400)),
    (Period(day(-60), day(36)), NOW),
    (Period(day(1), day(290)), day(285)),
]
FILTERS = [
    Filters(),
    Filters(team=2),
    Filters(source="event"),
    Filters(cohort=dt.date(2025, 3, 1)),
    Filters(member=7),
    Filters(team=1, source="web"),
]


def computed(period: Period, now: dt.datetime, filters: Filters) -> dict:
    return bowtie.funnels(restrict(frames(*JOURNEYS), filters), period, now, GROUPINGS)


@pytest.mark.parametrize("cutoff", [NOW, day(250)])
@pytest.mark.parametrize(("period", "now"), CASES)
def test_prepared_stays_give_the_computed_funnel(cutoff, period, now):
    prepared = frames(*JOURNEYS)
    stays.prepare(prepared, cutoff)
    for filters in FILTERS:
        restricted = restrict(prepared, filters)
        used = stays.prepared_rows(restricted, period.start, period.end, now)

        assert (used is not None) == (now >= cutoff)
        assert bowtie.funnels(restricted, period, now, GROUPINGS) == computed(
            period, now, filters
        ), filters


def test_journeys_with_stays_after_the_cutoff_are_computed_at_each_views_now():
    prepared = frames(*JOURNEYS)
    ready = stays.prepare(prepared, NOW)

    assert sorted(ready.late_journeys["journey_id"].to_pylist()) == [8, 9]
    assert 8 not in ready.entries["journey_id"].to_pylist()
    rows = stays.prepared_rows(prepared, PERIOD.start, PERIOD.end, day(305))
    assert rows is not None
    late = [row for row in rows[0].to_pylist() if row["journey_id"] == 8]
    assert [(row["idx"], row["advanced"]) for row in late] == [(1, True), (2, True), (3, False)]


def test_a_frames_is_prepared_once_and_a_replaced_one_starts_afresh():
    prepared = frames(*JOURNEYS)
    first = stays.prepare(prepared, NOW)

    assert stays.prepare(prepared, day(300)) is first
    assert stays.prepared_rows(dataclasses.replace(prepared), PERIOD.start, PERIOD.end, NOW) is None


def test_the_prepared_rows_are_sorted_by_opening():
    prepared = stays.prepare(frames(*JOURNEYS), day(400))

    opened = prepared.entries["opened_at"].to_pylist()
    assert opened == sorted(opened)
    assert list(prepared.entries_opened) == [int(t.timestamp() * 1_000_000) for t in opened]


@pytest.mark.parametrize(
    ("ids", "kept", "expected"),
    [
        ([3, 1, 2, None, 3], [3, 9], [True, False, False, False, True]),
        ([1, 2], [], [False, False]),
        ([], [1], []),
        ([5, 2**60, 7], [2**60, 7, None], [False, True, True]),  # sparse ids
    ],
)
def test_membership_of_journey_ids(ids, kept, expected):
    found = member_of(pa.array(ids, pa.int64()), pa.array(kept, pa.int64()))

    assert found.to_pylist() == expected


def test_a_restricted_frames_filters_each_table_when_read():
    data = frames(*JOURNEYS)
    restricted = restrict(data, Filters(team=2))

    assert "visits" not in vars(restricted)
    assert sorted(set(restricted.visits["journey_id"].to_pylist())) == [3, 5, 7]
    assert "visits" in vars(restricted)
    again = restrict(restricted, Filters(source="event"))
    assert again.journeys["journey_id"].to_pylist() == [3]
    assert again.stages is data.stages


MEMBERS = [
    {"member_id": 7, "name": "Ana", "role": "sdr", "team_id": 1},
    {"member_id": 8, "name": "Bo", "role": "sdr", "team_id": 1},
    {"member_id": 9, "name": "Cy", "role": "ae", "team_id": 1},
]
SEATS = [
    {"journey_id": j, "member_id": m, "stage": stage, "owned": True}
    for j, m, stage in [
        (1, 7, "qualification"),
        (2, 8, "qualification"),
        (4, 7, "qualification"),
        (7, 8, "qualification"),
        (8, 7, "qualification"),
        (9, 8, "qualification"),
        (1, 9, "closing"),
        (8, 9, "closing"),
    ]
]


@pytest.mark.parametrize(("period", "now"), CASES)
def test_scorecards_read_the_prepared_reach_with_the_same_result(period, now):
    prepared = frames(*JOURNEYS, seats=SEATS, members=MEMBERS)
    stays.prepare(prepared, NOW)
    plain = frames(*JOURNEYS, seats=SEATS, members=MEMBERS)

    for filters in FILTERS:
        expected = scorecards.scorecards(restrict(plain, filters), period, now)
        assert scorecards.scorecards(restrict(prepared, filters), period, now) == expected
        assert (stays.prepared_reach(prepared, now) is not None) == (now >= NOW)


@pytest.mark.parametrize("by", ["cohort", "source", "team", "member"])
def test_funnel_groups_carry_the_labels_every_metric_uses(by):
    data = frames(*JOURNEYS)
    labels = {row["group"] for row in bowtie.lead_to_won_by(data, PERIOD, NOW, by)}

    assert set(bowtie.funnel_by(data, PERIOD, NOW, by)) == labels
    stays.prepare(data, NOW)
    assert set(bowtie.funnel_by(data, PERIOD, NOW, by)) == labels
