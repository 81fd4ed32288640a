import datetime as dt

import pytest

from onethread.insights import post_sale
from onethread.insights.frames import Period
from onethread.insights.tests.data import NOW, PERIOD, frames, journey

ACTIVATED = journey(
    1, [("closing", 1), ("onboarding", 10)], won=10, values=[(5, 99.0), (12, 10.0), (40, 5.5)]
)
SLOW = journey(2, [("closing", 1), ("onboarding", 20)], won=20, values=[(50, 1.0)])
NEVER = journey(3, [("closing", 1), ("onboarding", 20), ("churned", 90)], won=20, outcome="churned")
OPEN = journey(4, [("qualification", 3)])


def test_activation_counts_value_after_the_win_only():
    result = post_sale.post_sale(frames(ACTIVATED, SLOW, NEVER, OPEN), PERIOD, NOW)

    assert (result["won"], result["activated"]) == (3, 2)
    assert result["activation_rate"] == pytest.approx(2 / 3)
    # first value after the win: day 12 - day 10 = 2 days, day 50 - day 20 = 30 days
    assert result["median_days_to_first_value"] == pytest.approx(16)
    assert result["revenue"] == pytest.approx(10.0 + 5.5 + 1.0)  # 99.0 came before the win


def test_retention_by_cohort_counts_churned_and_active_customers():
    rows = post_sale.retention_by_cohort(
        frames(ACTIVATED, SLOW, NEVER), PERIOD, dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    )

    assert [row["cohort"] for row in rows] == ["2025-03"]
    row = rows[0]
    assert (row["won"], row["churned"], row["retained"]) == (3, 0, 3)  # churn is after that now
    assert row["active"] == 2  # value in April or after February (90 days)
    later = post_sale.retention_by_cohort(frames(ACTIVATED, SLOW, NEVER), PERIOD, NOW)[0]
    assert later["churned"] == 1
    assert later["churn_rate"] == pytest.approx(1 / 3)


def test_grr_and_nrr_compare_a_window_with_the_one_before():
    base = journey(1, [], won=0, values=[(0, 100.0), (31, 120.0)])  # March 100, April 120
    shrinks = journey(2, [], won=0, values=[(0, 50.0), (31, 20.0)])  # March 50, April 20
    leaves = journey(3, [], won=0, values=[(0, 30.0)])  # March 30, then nothing
    newcomer = journey(4, [], won=0, values=[(31, 500.0)])  # not in the base
    april = Period(dt.datetime(2025, 4, 1, tzinfo=dt.UTC), dt.datetime(2025, 5, 1, tzinfo=dt.UTC))

    result = post_sale.revenue_retention(frames(base, shrinks, leaves, newcomer), april, NOW)

    assert result["base_customers"] == 3
    assert result["previous_revenue"] == pytest.approx(180)
    assert result["grr"] == pytest.approx((100 + 20 + 0) / 180)
    assert result["nrr"] == pytest.approx((120 + 20 + 0) / 180)
    assert result["expansion_revenue"] == pytest.approx(20)
    assert result["lost_customers"] == 1


def test_no_revenue_means_no_retention_figures():
    result = post_sale.revenue_retention(frames(OPEN), PERIOD, NOW)

    assert (result["grr"], result["nrr"]) == (None, None)
