"""The demo's plans and clock, without a database."""

import datetime as dt
import random
from collections import Counter

from onethread.demo.plans import (
    ACTIVE,
    FINAL_MIX,
    PENDING_SENT,
    PENDING_SHARE,
    final_stages,
    plan_journeys,
)
from onethread.demo.workdays import WorkClock

NOW = dt.datetime(2026, 3, 4, 19, 30, tzinfo=dt.UTC)  # a Wednesday evening


def test_final_stages_follow_the_mix_and_name_every_stage_once_there_are_enough():
    finals = Counter(final_stages(520, random.Random(1)))
    assert sum(finals.values()) == 520
    assert finals["lead"] > finals["qualification"] > finals["onboarding"]
    assert set(Counter(final_stages(9, random.Random(1)))) == {key for key, _ in FINAL_MIX}


def test_plans_walk_the_stages_in_order_and_end_before_now():
    clock = WorkClock.ending_at(NOW, 400)
    horizon = clock.moment(NOW)
    for plan in plan_journeys(count=200, seed=7, horizon=horizon):
        active = [key for key in plan.path if key in ACTIVE]
        assert active == list(ACTIVE[: len(active)])
        assert list(plan.entered) == sorted(plan.entered)
        assert len(plan.entered) == len(plan.path)
        assert plan.until <= horizon
        assert clock.at(plan.entered[0]) >= NOW - dt.timedelta(days=550)
        assert plan.is_closed == bool(plan.reason)


def test_plans_are_the_same_for_the_same_seed():
    first = plan_journeys(count=50, seed=3, horizon=300.0)
    assert plan_journeys(count=50, seed=3, horizon=300.0) == first
    assert plan_journeys(count=50, seed=4, horizon=300.0) != first


def test_the_work_clock_keeps_office_hours_and_order():
    clock = WorkClock.ending_at(NOW, 30)
    moments = [step / 7 for step in range(7 * 30)]
    times = [clock.at(moment) for moment in moments]
    assert times == sorted(times)
    assert all(time.weekday() < 5 and 8 <= time.hour < 18 for time in times)


def test_every_moment_before_now_on_the_work_clock_is_in_the_past():
    clock = WorkClock.ending_at(NOW, 30)
    for now in (NOW, NOW.replace(hour=7), NOW.replace(hour=12), NOW + dt.timedelta(days=3)):
        moment = clock.moment(now)
        assert clock.at(moment - 1e-6) <= now
        assert clock.at(moment) >= now - dt.timedelta(seconds=1)


def test_a_few_journeys_per_stage_wait_for_a_recent_handoff_and_one_reaches_each_stage():
    horizon = 300.0
    plans = plan_journeys(count=520, seed=2026, horizon=horizon)
    waiting = Counter(plan.final for plan in plans if plan.pending)
    reaching = Counter(plan.final for plan in plans)
    assert set(waiting) == set(PENDING_SHARE)
    for key, count in waiting.items():
        assert 1 <= count <= 4
        assert count < reaching[key]
    for plan in plans:
        if plan.pending:
            assert horizon - PENDING_SENT[1] <= plan.entered[-1] < horizon
            assert plan.entered[-2] < plan.entered[-1]
    assert not any(plan.pending for plan in plan_journeys(count=9, seed=1, horizon=horizon))


def test_untouched_leads_are_inbound_leads_still_waiting():
    plans = plan_journeys(count=520, seed=2026, horizon=300.0)
    untouched = [plan for plan in plans if plan.untouched]
    assert 0 < len(untouched) < 0.1 * len(plans)
    assert all(plan.path == ("lead",) and plan.source != "outbound" for plan in untouched)


def test_a_colleague_takes_over_an_account_for_expansion():
    for plan in plan_journeys(count=100, seed=5, horizon=300.0):
        assert plan.owners["expansion"] != plan.owners["adoption"]
        if plan.source == "outbound":
            assert plan.owners["lead"] == plan.owners["qualification"]
