"""The dashboards' prepared stays (stays.py, prepared_funnel.py) give exactly
the funnel computed from the frames, whatever the period, filters, groupings
and `now`; journey membership and lazy restriction give what a plain filter
gives."""

import dataclasses
import datetime as dt
import random

import pyarrow as pa
import pytest

from onethread.insights import bowtie, post_sale, scorecards, stays
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
        used = stays.prepared_index(restricted, period.start, period.end, now)

        assert (used is not None) == (now >= cutoff)
        assert bowtie.funnels(restricted, period, now, GROUPINGS) == computed(
            period, now, filters
        ), filters


def test_journeys_with_stays_after_the_cutoff_are_computed_at_each_views_now():
    prepared = frames(*JOURNEYS)
    ready = stays.prepare(prepared, NOW)

    assert sorted(ready.late_journeys["journey_id"].to_pylist()) == [8, 9]
    assert 8 not in ready.funnel.entry_journey.tolist()
    used = stays.prepared_index(prepared, PERIOD.start, PERIOD.end, day(305))
    assert used is not None
    late = used[3]
    assert late is not None
    rows = [
        (journey, idx, advanced)
        for journey, idx, advanced in zip(
            late.entry_journey.tolist(),
            late.entry_idx.tolist(),
            late.entry_advanced.tolist(),
            strict=True,
        )
        if journey == 8
    ]
    assert rows == [(8, 1, True), (8, 2, True), (8, 3, False)]
    # Opened before 8 and 9, and every stay before the cutoff: nothing late.
    early = stays.prepared_index(prepared, day(-60), day(36), NOW)
    assert early is not None
    assert early[3] is None


def test_a_frames_is_prepared_once_and_a_replaced_one_starts_afresh():
    prepared = frames(*JOURNEYS)
    first = stays.prepare(prepared, NOW)

    assert stays.prepare(prepared, day(300)) is first
    replaced = dataclasses.replace(prepared)
    assert stays.prepared_index(replaced, PERIOD.start, PERIOD.end, NOW) is None


def test_the_prepared_entries_are_sorted_by_opening_and_durations_by_stage():
    index = stays.prepare(frames(*JOURNEYS), day(400)).funnel

    opened = index.entry_opened.tolist()
    assert opened == sorted(opened)
    assert len(opened) == len(index.entry_idx) > 0
    stays_in_order = list(zip(index.timed_idx.tolist(), index.timed_days.tolist(), strict=True))
    assert stays_in_order == sorted(stays_in_order)
    # NO_TIME-like stays (journey 6) are counted apart, not in the durations.
    assert 6 in index.untimed_journey.tolist()


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
    assert "journeys" not in vars(restricted)
    assert sorted(set(restricted.visits["journey_id"].to_pylist())) == [3, 5, 7]
    assert "visits" in vars(restricted)
    assert restricted.journeys["journey_id"].to_pylist() == [3, 5, 7]
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
def test_scorecards_read_the_prepared_seats_with_the_same_result(period, now):
    prepared = frames(*JOURNEYS, seats=SEATS, members=MEMBERS)
    scorecards.prepare(prepared, NOW)
    plain = frames(*JOURNEYS, seats=SEATS, members=MEMBERS)

    for filters in FILTERS:
        expected = scorecards.scorecards(restrict(plain, filters), period, now)
        assert scorecards.scorecards(restrict(prepared, filters), period, now) == expected
        used = scorecards._prepared_rows(restrict(prepared, filters), period, now)
        assert (used is not None) == (now >= NOW)


def test_scorecards_from_prepared_seats_match_the_frames_on_many_journeys():
    drawn = many_journeys(7)
    rng = random.Random(7)
    members = [
        {"member_id": m, "name": f"M{m}", "role": role, "team_id": 1, "primary": primary}
        for m, role, primary in [
            (1, "sdr", True),
            (2, "sdr", True),
            (3, "ae", True),
            (3, "sdr", False),
            (4, "ae", True),
            (5, "csm", True),
            (6, "onboarding", True),
        ]
    ]
    stages = ["lead", "qualification", "closing", "onboarding", "adoption", "lost"]
    seats = [
        {"journey_id": j, "member_id": rng.randrange(1, 7), "stage": rng.choice(stages)}
        for j in range(1, len(drawn) + 1)
        for _ in range(rng.randrange(0, 4))
    ]
    tickets = [
        {"journey_id": j, "status": "resolved", "resolved_at": day(rng.uniform(0, 300))}
        for j in range(1, len(drawn) + 1, 5)
    ]
    plain = frames(*drawn, seats=seats, members=members, tickets=tickets)
    prepared = frames(*drawn, seats=seats, members=members, tickets=tickets)
    scorecards.prepare(prepared, NOW)
    for cutoff, period, now, chosen in views():
        if cutoff != NOW:
            continue
        expected = scorecards.scorecards(restrict(plain, chosen), period, now)
        assert scorecards._prepared_rows(restrict(prepared, chosen), period, now) is not None
        found = scorecards.scorecards(restrict(prepared, chosen), period, now)
        assert found == expected, (period, now, chosen)


@pytest.mark.parametrize("by", ["cohort", "source", "team", "member"])
def test_funnel_groups_carry_the_labels_every_metric_uses(by):
    data = frames(*JOURNEYS)
    labels = {row["group"] for row in bowtie.lead_to_won_by(data, PERIOD, NOW, by)}

    assert set(bowtie.funnel_by(data, PERIOD, NOW, by)) == labels
    stays.prepare(data, NOW)
    assert set(bowtie.funnel_by(data, PERIOD, NOW, by)) == labels


def many_journeys(seed: int, count: int = 400) -> list:
    """Journeys drawn at random: stages skipped, repeated and gone back to,
    stays without a time, same-day changes (equal durations), outcomes with
    reasons, blank sources, journeys without an owner, some with stays after
    NOW (day 273); wins and first touches (before the opening, at it, later,
    after NOW, never)."""
    rng = random.Random(seed)
    active = ["qualification", "closing", "onboarding", "adoption", "expansion"]
    drawn = []
    for number in range(1, count + 1):
        opened = rng.choice([rng.uniform(-80, 330), float(rng.randrange(-60, 320))])
        at, steps = opened, []
        for _ in range(rng.randrange(0, 6)):
            at += rng.choice([0, 0, 1, 2, 3.25, 7, 30, rng.uniform(0, 60)])
            steps.append((rng.choice(active), None if rng.random() < 0.08 else at))
        outcome = None
        if rng.random() < 0.3:
            outcome = rng.choice(["lost", "disqualified", "churned"])
            steps.append((outcome, at + rng.choice([0, 1, 5])))
        won = next((when for key, when in steps if key == "onboarding"), None)
        values = [] if won is None else [(won + rng.uniform(0, 400), 100.0)]
        drawn.append(
            journey(
                number,
                steps,
                opened=opened,
                won=won,
                values=values,
                touched=rng.choice(
                    [
                        None,
                        opened - 3,
                        opened - 1,
                        opened - 0.5,
                        opened,
                        opened + 0.01,
                        opened + 2,
                        400,
                    ]
                ),
                source=rng.choice(["web", "event", "", "partner"]),
                team=rng.choice([1, 2, 3]),
                owner=rng.choice([None, 7, 8, 9]),
                outcome=outcome,
                reason=rng.choice(["", "no budget", "timing"]) if outcome else "",
            )
        )
    return drawn


def views() -> list[tuple[dt.datetime, Period, dt.datetime, Filters]]:
    """(cutoff, period, now, filters): every filter on the year, the others
    with and without one."""
    filters = [*FILTERS, Filters(source=""), Filters(cohort=dt.date(2025, 5, 1))]
    periods = [Period(day(-60), day(100)), Period(day(200), day(400))]
    chosen = []
    for cutoff in (NOW, day(400)):
        chosen += [(cutoff, PERIOD, cutoff, f) for f in filters]
        chosen += [
            (cutoff, period, now, f)
            for period in periods
            for now in (cutoff, day(500))
            for f in (Filters(), Filters(team=2))
        ]
    return chosen


def test_the_prepared_index_counts_what_the_frames_give_on_many_journeys():
    drawn = many_journeys(2026)
    seats = [
        {"journey_id": number, "member_id": 7, "stage": "qualification", "owned": True}
        for number in range(1, len(drawn) + 1, 3)
    ]
    plain = frames(*drawn, seats=seats)
    prepared = {cutoff: frames(*drawn, seats=seats) for cutoff in (NOW, day(400))}
    late_seen = False
    for cutoff, period, now, chosen in views():
        stays.prepare(prepared[cutoff], cutoff)
        restricted = restrict(prepared[cutoff], chosen)
        used = stays.prepared_index(restricted, period.start, period.end, now)
        assert used is not None
        late_seen = late_seen or used[3] is not None
        expected = bowtie.funnels(restrict(plain, chosen), period, now, GROUPINGS)
        assert bowtie.funnels(restricted, period, now, GROUPINGS) == expected, (
            cutoff,
            period,
            now,
            chosen,
        )
    assert late_seen


def test_lead_metrics_from_the_prepared_copy_match_the_frames_on_many_journeys():
    drawn = many_journeys(11)
    plain, prepared = frames(*drawn), frames(*drawn)
    stays.prepare(prepared, NOW)
    metrics = (bowtie.lead_to_won, bowtie.by_source, bowtie.speed_to_lead)
    for cutoff, period, now, chosen in views():
        if cutoff != NOW:
            continue
        restricted = restrict(prepared, chosen)
        assert stays.prepared_leads_of(restricted, period.start, period.end, now) is not None
        for metric in metrics:
            expected = metric(restrict(plain, chosen), period, now)
            assert metric(restricted, period, now) == expected, (metric, period, now, chosen)
    # Someone won, someone touched: the comparison is not between empty results.
    assert bowtie.lead_to_won(prepared, PERIOD, day(500))["won"] > 0
    assert bowtie.speed_to_lead(prepared, PERIOD, day(500))["touched"] > 0


def test_after_the_sale_from_the_prepared_copy_matches_the_frames_on_many_journeys():
    drawn = many_journeys(13)
    plain, prepared = frames(*drawn), frames(*drawn)
    stays.prepare(prepared, NOW)
    metrics = (post_sale.post_sale, post_sale.retention_by_cohort, post_sale.revenue_retention)
    cases = [(period, now, chosen) for cutoff, period, now, chosen in views() if cutoff == NOW]
    cases += [(PERIOD, day(330), Filters()), (Period(day(100), day(130)), day(140), Filters())]
    for period, now, chosen in cases:
        for metric in metrics:
            expected = metric(restrict(plain, chosen), period, now)
            assert metric(restrict(prepared, chosen), period, now) == expected, (
                metric,
                period,
                now,
                chosen,
            )
    found = post_sale.retention_by_cohort(prepared, PERIOD, day(330))
    assert sum(row["active"] for row in found) > 0
    assert sum(row["churned"] for row in found) > 0
    assert post_sale.post_sale(prepared, PERIOD, day(500))["activated"] > 0


def changed_journeys(drawn: list, seed: int) -> tuple[list, list[int]]:
    """`drawn` with some journeys drawn again (other stays, source, team,
    owner, outcome) and new ones added: what a refresh brings a copy."""
    rng = random.Random(seed)
    again = many_journeys(seed + 1000, count=len(drawn) + 40)
    changed = sorted(rng.sample(range(1, len(drawn) + 1), 60)) + list(
        range(len(drawn) + 1, len(again) + 1)
    )
    result = [again[n - 1] if n in set(changed) else drawn[n - 1] for n in range(1, len(again) + 1)]
    return result, changed


@pytest.mark.parametrize("later", [0, 30])
def test_a_preparation_spliced_after_an_increment_counts_what_the_frames_give(monkeypatch, later):
    drawn = many_journeys(21)
    before = frames(*drawn)
    stays.prepare(before, NOW)
    after_journeys, changed = changed_journeys(drawn, 21)
    splices = []
    real = stays.funnel_splice.spliced

    def spliced(*args):
        splices.append(args)
        return real(*args)

    monkeypatch.setattr(stays.funnel_splice, "spliced", spliced)
    cutoff = NOW + dt.timedelta(days=later)  # later: some late journeys are not any more
    after = frames(*after_journeys)
    stays.prepare(after, cutoff, (before, pa.array(changed, pa.int64())))
    plain = frames(*after_journeys)

    assert len(splices) == 1
    for _, period, now, chosen in views():
        if now < cutoff:
            continue
        expected = bowtie.funnels(restrict(plain, chosen), period, now, GROUPINGS)
        assert bowtie.funnels(restrict(after, chosen), period, now, GROUPINGS) == expected, (
            period,
            now,
            chosen,
        )
    fresh = frames(*after_journeys)
    assert (
        stays.prepare(fresh, cutoff)
        .reach.sort_by("journey_id")
        .equals(stays.prepare(after, cutoff).reach.sort_by("journey_id"))
    )
