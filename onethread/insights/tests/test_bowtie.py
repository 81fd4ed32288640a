import pytest

from onethread.insights import bowtie
from onethread.insights.frames import Frames, Period
from onethread.insights.tests.data import NOW, PERIOD, STAGES, day, frames, journey

WON = journey(1, [("qualification", 2), ("closing", 5), ("onboarding", 9)], won=9, touched=0.01)
LOST = journey(
    2,
    [("qualification", 1), ("lost", 4)],
    outcome="lost",
    reason="no budget",
    source="event",
    touched=2,
)
SKIPS = journey(3, [("closing", 3)], opened=1, source="event")  # skips qualification
GOES_BACK = journey(4, [("qualification", 1), ("closing", 2), ("qualification", 4)])
SAME_DAY = journey(5, [("qualification", 0), ("closing", 0)])
NO_TIME = journey(6, [("qualification", None), ("closing", None), ("onboarding", 20)], won=20)


def stage(rows: list[dict], key: str) -> dict:
    return next(row for row in rows if row["stage"] == key)


def test_funnel_counts_journeys_entering_and_advancing_each_stage():
    rows = bowtie.funnel(frames(WON, LOST, SKIPS, GOES_BACK, SAME_DAY, NO_TIME), PERIOD, NOW)

    assert [row["stage"] for row in rows] == [
        "lead",
        "qualification",
        "closing",
        "onboarding",
        "adoption",
        "expansion",
    ]
    lead = stage(rows, "lead")
    assert (lead["entered"], lead["advanced"], lead["conversion_rate"]) == (6, 6, 1.0)
    qualification = stage(rows, "qualification")
    # The journey that skips qualification never entered it; the one that went
    # back counts once, and it had advanced to closing before.
    assert (qualification["entered"], qualification["advanced"]) == (5, 4)
    assert qualification["drop_off"] == [{"outcome": "lost", "reason": "no budget", "journeys": 1}]
    closing = stage(rows, "closing")
    assert (closing["entered"], closing["advanced"]) == (5, 2)
    assert closing["conversion_rate"] == pytest.approx(0.4)
    assert stage(rows, "onboarding")["entered"] == 2


def test_time_in_stage_uses_finished_stays_with_known_times():
    rows = bowtie.funnel(frames(WON, LOST, SKIPS, GOES_BACK, SAME_DAY, NO_TIME), PERIOD, NOW)

    # lead stays: 2, 1, 2 (opened day 1, closing day 3), 1, 0; NO_TIME's has no end time.
    lead = stage(rows, "lead")
    assert lead["median_days_in_stage"] == pytest.approx(1.0)
    assert lead["p90_days_in_stage"] == pytest.approx(2.0)
    assert lead["excluded_without_time"] == 1
    # qualification stays: 3 (WON), 3 (LOST, ended by the outcome), 1 (GOES_BACK's
    # first; its second is still open), 0 (SAME_DAY); NO_TIME's has no times.
    qualification = stage(rows, "qualification")
    assert qualification["median_days_in_stage"] == pytest.approx(2.0)
    assert qualification["p90_days_in_stage"] == pytest.approx(3.0)
    assert qualification["excluded_without_time"] == 1


def test_no_events_gives_an_empty_funnel_in_stage_order():
    rows = bowtie.funnel(Frames.of(stages=STAGES), PERIOD, NOW)

    assert [row["entered"] for row in rows] == [0] * 6
    assert all(row["conversion_rate"] is None for row in rows)


def test_the_period_selects_journeys_by_opening_and_ignores_what_follows_now():
    data = frames(WON, LOST)
    later = Period(day(1.5), day(30))

    assert bowtie.funnel(data, later, NOW)[0]["entered"] == 0
    early_now = day(3)
    rows = bowtie.funnel(data, PERIOD, early_now)
    assert stage(rows, "closing")["entered"] == 0
    assert bowtie.lead_to_won(data, PERIOD, early_now)["won"] == 0


def test_lead_to_won_counts_leads_wins_and_days_from_first_contact():
    result = bowtie.lead_to_won(frames(WON, LOST, SKIPS, NO_TIME), PERIOD, NOW)

    assert result["leads"] == 4
    assert result["won"] == 2
    assert result["conversion_rate"] == 0.5
    assert result["median_days"] == pytest.approx((9 + 20) / 2)


def test_by_source_keeps_an_empty_source_apart():
    blank = journey(7, [], source="")
    rows = bowtie.by_source(frames(WON, LOST, SKIPS, blank), PERIOD, NOW)

    assert [(r["source"], r["leads"], r["won"], r["conversion_rate"]) for r in rows] == [
        ("event", 2, 0, 0.0),
        ("(no source)", 1, 0, 0.0),
        ("web", 1, 1, 1.0),
    ]


def test_speed_to_lead_measures_time_to_first_touch():
    result = bowtie.speed_to_lead(frames(WON, LOST, SKIPS), PERIOD, NOW)

    assert result["leads"] == 3
    assert result["never_touched"] == 1
    assert result["median_days"] == pytest.approx((0.01 + 2) / 2)
    assert result["share_within_1h"] == pytest.approx(1 / 3)
    assert result["share_within_24h"] == pytest.approx(1 / 3)


def test_funnel_breaks_down_by_cohort_source_and_team():
    data = frames(WON, LOST, journey(8, [], opened=40, team=2, owner=5))

    assert set(bowtie.funnel_by(data, PERIOD, NOW, "cohort")) == {"2025-03", "2025-04"}
    by_source = bowtie.funnel_by(data, PERIOD, NOW, "source")
    assert by_source["event"][0]["entered"] == 1
    assert by_source["web"][0]["entered"] == 2
    assert set(bowtie.funnel_by(data, PERIOD, NOW, "team")) == {"1", "2"}
    by_owner = bowtie.funnel_by(data, PERIOD, NOW, "member")
    assert by_owner["5"][0]["entered"] == 1
    assert stage(by_owner["(no owner)"], "qualification")["advanced"] == 1
