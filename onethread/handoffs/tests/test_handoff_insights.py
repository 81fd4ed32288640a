"""Handoff health measures over explicit rows: no database."""

import datetime as dt

from onethread.handoffs.charts import bar_chart, percent, short_duration, trend_charts
from onethread.handoffs.insights import (
    HandoffRow,
    acceptance_rate,
    by_month,
    health,
    period_ending,
    report,
    return_reasons,
    top_missing,
    was_overdue,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def sent(
    day: dt.datetime,
    status: str = "pending",
    *,
    after: dt.timedelta | None = None,
    sla: dt.timedelta = 24 * HOUR,
    rating: int | None = None,
    missing: tuple[str, ...] = (),
    reason: str = "",
) -> HandoffRow:
    return HandoffRow(
        sent_at=day,
        due_at=day + sla,
        status=status,
        responded_at=day + after if after is not None else None,
        rating=rating,
        missing=missing,
        return_reason=reason,
    )


def on(month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 0, tzinfo=UTC)


def test_acceptance_rate_is_accepted_over_answered_and_ignores_waiting_ones():
    rows = [
        sent(on(6), "accepted", after=HOUR, rating=4),
        sent(on(6), "accepted", after=HOUR, rating=5),
        sent(on(6), "accepted", after=HOUR, rating=3),
        sent(on(6), "returned", after=HOUR, reason="Missing information"),
        sent(on(6, 14)),  # waiting: not in the rate
    ]
    measured = health(rows, now=NOW)
    assert (measured.sent, measured.accepted, measured.returned, measured.waiting) == (5, 3, 1, 1)
    assert measured.acceptance_rate == 0.75
    assert measured.average_rating == 4.0


def test_nothing_answered_has_no_rate_rating_or_time_rather_than_zero():
    measured = health([sent(on(6, 15))], now=NOW)
    assert measured.acceptance_rate is None
    assert measured.average_rating is None
    assert measured.median_time_to_accept is None
    assert acceptance_rate(0, 0) is None


def test_time_to_accept_is_the_median_over_accepted_handoffs_only():
    rows = [
        sent(on(6), "accepted", after=1 * HOUR, rating=4),
        sent(on(6), "accepted", after=3 * HOUR, rating=4),
        sent(on(6), "accepted", after=50 * HOUR, rating=4),
        sent(on(6), "returned", after=0.1 * HOUR, reason="Bad timing"),
    ]
    assert health(rows, now=NOW).median_time_to_accept == 3 * HOUR


def test_overdue_counts_late_answers_and_handoffs_still_waiting_past_their_deadline():
    on_time = sent(on(6), "accepted", after=2 * HOUR, rating=5)
    answered_late = sent(on(6), "returned", after=30 * HOUR, reason="Bad timing")
    waiting_late = sent(NOW - 30 * HOUR)
    waiting_in_time = sent(NOW - 2 * HOUR)
    assert not was_overdue(on_time, NOW)
    assert was_overdue(answered_late, NOW)
    assert was_overdue(waiting_late, NOW)
    assert not was_overdue(waiting_in_time, NOW)
    assert health([on_time, answered_late, waiting_late, waiting_in_time], now=NOW).overdue == 2


def test_missing_items_count_handoffs_ignoring_case_and_spacing_most_named_first():
    rows = [
        sent(on(6), "accepted", after=HOUR, rating=3, missing=("Budget owner", "Timeline")),
        sent(on(6), "accepted", after=HOUR, rating=2, missing=("budget  owner",)),
        # Named twice by one receiver: still one handoff.
        sent(on(6), "accepted", after=HOUR, rating=2, missing=("Budget owner", "BUDGET OWNER")),
        sent(on(6), "accepted", after=HOUR, rating=4, missing=("Success criteria", "Timeline")),
        sent(on(6), "accepted", after=HOUR, rating=4, missing=("Decision maker",)),
    ]
    assert top_missing(rows, limit=3) == [
        ("Budget owner", 3),
        ("Timeline", 2),
        ("Decision maker", 1),
    ]


def test_return_reasons_are_counted_most_frequent_first():
    rows = [
        sent(on(6), "returned", after=HOUR, reason="Missing information"),
        sent(on(6), "returned", after=HOUR, reason="Not qualified"),
        sent(on(6), "returned", after=HOUR, reason="Missing information"),
        sent(on(6), "accepted", after=HOUR, rating=5),
    ]
    assert return_reasons(rows) == [("Missing information", 2), ("Not qualified", 1)]


def test_a_period_is_whole_calendar_months_including_this_one():
    period = period_ending(NOW, 3, UTC)
    assert period.months == (dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1))
    assert period.start == dt.datetime(2026, 4, 1, tzinfo=UTC)
    assert period.end == NOW
    across_the_year = period_ending(dt.datetime(2026, 2, 3, tzinfo=UTC), 6, UTC)
    assert across_the_year.months[0] == dt.date(2025, 9, 1)
    assert period_ending(NOW, 7, UTC).length == 6  # an unknown length falls back to six


def test_months_follow_the_local_time_zone():
    paris_new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 Jan in Paris
    tz = dt.timezone(dt.timedelta(hours=1))
    period = period_ending(NOW, 12, tz)
    months = by_month([sent(paris_new_year)], period, now=NOW, tz=tz)
    assert months[0].month == dt.date(2025, 7, 1)
    january = next(m for m in months if m.month == dt.date(2026, 1, 1))
    assert january.health.sent == 1


def test_the_trend_shows_every_month_of_the_period_even_empty_ones():
    rows = [
        sent(on(4), "accepted", after=2 * HOUR, rating=2),
        sent(on(4), "returned", after=2 * HOUR, reason="Not qualified"),
        sent(on(6), "accepted", after=HOUR, rating=5),
        sent(on(1), "accepted", after=HOUR, rating=1),  # before the period: left out
    ]
    side = report(rows, period_ending(NOW, 3, UTC), now=NOW, tz=UTC)
    assert [m.month.month for m in side.months] == [4, 5, 6]
    assert [m.health.sent for m in side.months] == [2, 0, 1]
    assert [m.health.acceptance_rate for m in side.months] == [0.5, None, 1.0]
    assert side.overall.sent == 3
    assert side.overall.average_rating == 3.5


def test_bars_scale_to_the_ceiling_and_months_without_a_value_get_no_bar():
    chart = bar_chart(
        "Acceptance rate",
        [(dt.date(2026, 4, 1), 0.5), (dt.date(2026, 5, 1), None), (dt.date(2026, 6, 1), 1.0)],
        show=percent,
        ceiling=1.0,
    )
    heights = [bar.height for bar in chart.bars]
    assert heights[0] * 2 == heights[2] == chart.height
    assert heights[1] == 0
    assert chart.latest == "100 %"
    assert "May 2026: —" in chart.description
    assert all(bar.y + bar.height == chart.height for bar in chart.bars)


def test_the_four_trends_come_from_the_months():
    side = report(
        [sent(on(6), "accepted", after=90 * dt.timedelta(minutes=1), rating=4)],
        period_ending(NOW, 3, UTC),
        now=NOW,
        tz=UTC,
    )
    charts = trend_charts(side.months)
    assert [chart.title for chart in charts] == [
        "Handoffs",
        "Acceptance rate",
        "Average rating",
        "Time to accept (median)",
    ]
    assert [chart.latest for chart in charts] == ["1", "100 %", "4.0 / 5", "1 h 30 min"]


def test_durations_read_as_minutes_hours_and_days():
    assert short_duration(None) == "—"
    assert short_duration(dt.timedelta(minutes=45)) == "45 min"
    assert short_duration(dt.timedelta(hours=3, minutes=20)) == "3 h 20 min"
    assert short_duration(dt.timedelta(days=2, hours=4, minutes=10)) == "2 d 4 h"
