"""After the sale: activation, time to first value, retention and churn by
cohort, revenue, gross and net revenue retention, expansion revenue."""

import datetime as dt
from typing import Any

import pyarrow as pa

from onethread.insights import prepared_sale, stays
from onethread.insights.frames import Frames, Period, ratio, sql, unrestricted

ACTIVE_DAYS = 90


def _won_in(frames: Frames, period: Period, now: dt.datetime, columns: tuple[str, ...]) -> pa.Table:
    """The journeys the queries below may count as won in the period: from
    the dashboards' prepared copy, a slice of them with the columns named;
    otherwise all."""
    prepared = stays.prepared_for(frames, now)
    if prepared is None:
        return frames.journeys
    source, kept = unrestricted(frames)
    end = min(period.end, now)
    return prepared_sale.won_between(
        prepared.sale, source.journeys, kept, period.start, end, columns
    )


def _months_in(frames: Frames, first: dt.date, last: dt.date, now: dt.datetime) -> pa.Table:
    """The value months a query may read between two days (both included)."""
    prepared = stays.prepared_for(frames, now)
    if prepared is None:
        return frames.monthly_value
    source, kept = unrestricted(frames)
    return prepared_sale.months_between(prepared.sale, source.monthly_value, kept, first, last)


def post_sale(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Journeys won in the period: how many recorded value after the win (by
    now), the days from the win to the first value, and the revenue of their
    value events at or after the win."""
    row = sql(
        """
        select count(*) as won,
               count(*) filter (where first_value_at <= $now) as activated,
               median(days_between(won_at, first_value_at))
                   filter (where first_value_at <= $now) as median_days_to_first_value,
               quantile_cont(days_between(won_at, first_value_at), 0.9)
                   filter (where first_value_at <= $now) as p90_days_to_first_value,
               coalesce(sum(revenue_after_won), 0.0) as revenue
        from journeys
        where won_at >= $start and won_at < $end and won_at <= $now
        """,
        {"start": period.start, "end": period.end, "now": now},
        journeys=_won_in(frames, period, now, ("won_at", "first_value_at", "revenue_after_won")),
    )[0]
    return {
        "won": row["won"],
        "activated": row["activated"],
        "activation_rate": ratio(row["activated"], row["won"]),
        "median_days_to_first_value": row["median_days_to_first_value"],
        "p90_days_to_first_value": row["p90_days_to_first_value"],
        "revenue": round(row["revenue"], 2),
    }


def retention_by_cohort(
    frames: Frames, period: Period, now: dt.datetime, active_days: int = ACTIVE_DAYS
) -> list[dict[str, Any]]:
    """Per month of winning (UTC): won, churned (closed as churned by now),
    retained (won - churned) and active (value recorded in a calendar month
    starting within active_days before now)."""
    rows = sql(
        """
        with w as (
            select journey_id, strftime(utc_month(won_at), '%Y-%m') as cohort,
                   outcome = 'churned' and closed_at <= $now as churned
            from journeys where won_at >= $start and won_at < $end and won_at <= $now
        ),
        active as (
            select distinct journey_id from monthly_value
            where month >= utc_month($now - to_days($days)) and month <= $now
        )
        select cohort, count(*) as won,
               count(*) filter (where churned) as churned,
               count(*) filter (where journey_id in (select journey_id from active)) as active
        from w group by cohort order by cohort
        """,
        {"start": period.start, "end": period.end, "now": now, "days": active_days},
        journeys=_won_in(frames, period, now, ("won_at", "outcome", "closed_at")),
        # The months from a month before the window on: a superset.
        monthly_value=_months_in(
            frames,
            (now - dt.timedelta(days=active_days + 32)).date(),
            (now + dt.timedelta(days=1)).date(),
            now,
        ),
    )
    return [
        {
            **row,
            "retained": row["won"] - row["churned"],
            "retention_rate": ratio(row["won"] - row["churned"], row["won"]),
            "churn_rate": ratio(row["churned"], row["won"]),
            "active_rate": ratio(row["active"], row["won"]),
        }
        for row in rows
    ]


def _month_start(month: dt.date, offset: int) -> dt.datetime:
    index = month.year * 12 + month.month - 1 + offset
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def month_window(period: Period) -> tuple[dt.date, int]:
    """The first calendar month starting in the period, and how many start in it."""
    start = period.start.astimezone(dt.UTC)
    first = dt.date(start.year, start.month, 1)
    if start != _month_start(first, 0):
        first = _month_start(first, 1).date()
    months = 0
    while _month_start(first, months) < period.end:
        months += 1
    return first, months


def revenue_retention(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """The current window holds the value months whose first day falls in the
    period (and not after now); the previous window the same number of months
    just before. Over the customers with value in the previous window (the
    base): GRR = Σ min(current, previous) / Σ previous; NRR = Σ current /
    Σ previous; expansion = Σ max(current - previous, 0)."""
    first, months = month_window(period)
    before = Period(_month_start(first, -months), _month_start(first, 0))
    period = Period(_month_start(first, 0), _month_start(first, months))
    row = sql(
        """
        with per as (
            select journey_id,
                   sum(amount) filter (where month >= $p0 and month < $p1) as previous,
                   sum(amount) filter (where month >= $c0 and month < $c1) as current
            from monthly_value where month <= $today group by journey_id
        ),
        base as (
            select coalesce(previous, 0) as previous, coalesce(current, 0) as current
            from per where previous > 0
        )
        select count(*) as base_customers,
               coalesce(sum(previous), 0) as previous_revenue,
               coalesce(sum(current), 0) as current_revenue,
               coalesce(sum(least(current, previous)), 0) as kept,
               coalesce(sum(greatest(current - previous, 0)), 0) as expansion,
               count(*) filter (where current = 0) as lost_customers
        from base
        """,
        {
            "p0": before.start.date(),
            "p1": before.end.date(),
            "c0": period.start.date(),
            "c1": period.end.date(),
            "today": now.date(),
        },
        monthly_value=frames.monthly_value,
    )[0]
    previous = row["previous_revenue"]
    return {
        **row,
        "grr": ratio(row["kept"], previous),
        "nrr": ratio(row["current_revenue"], previous),
        "expansion_revenue": row["expansion"],
    }
