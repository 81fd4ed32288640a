"""Context continuity: needs carried through the sale, promises kept by the
stage that made them, repeated discovery after handoffs, and silences."""

import datetime as dt
from typing import Any

from onethread.insights.frames import Frames, Period, ratio, sql

SILENCE_DAYS = 30


def _params(period: Period, now: dt.datetime) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "now": now, "today": now.date()}


def needs_carried(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Needs captured before the sale (at an acquisition stage) in the period:
    how many were addressed (mapped to a deal line, or marked addressed or
    delivered), delivered, and both (carried through)."""
    row = sql(
        """
        select count(*) as captured,
               count(*) filter (where in_deal or status in ('addressed', 'delivered'))
                   as addressed,
               count(*) filter (where status = 'delivered') as delivered,
               count(*) filter (where (in_deal or status in ('addressed', 'delivered'))
                                and status = 'delivered') as carried,
               count(*) filter (where status = 'unmet') as unmet
        from needs
        where captured_side = 'acquisition'
          and captured_at >= $start and captured_at < $end and captured_at <= $now
        """,
        _params(period, now),
        needs=frames.needs,
    )[0]
    captured = row["captured"]
    return {
        **row,
        "share_addressed": ratio(row["addressed"], captured),
        "share_delivered": ratio(row["delivered"], captured),
        "share_carried": ratio(row["carried"], captured),
    }


def promises_by_stage(frames: Frames, period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """Commitments made in the period, by the stage that made them: kept,
    broken, overdue (still open past their date) and open; kept rate =
    kept / (kept + broken)."""
    rows = sql(
        """
        select c.made_stage as stage,
               count(*) as made,
               count(*) filter (where status = 'kept') as kept,
               count(*) filter (where status = 'broken') as broken,
               count(*) filter (where status in ('open', 'renegotiated')
                                and due_on is not null and due_on < $today) as overdue,
               count(*) filter (where status in ('open', 'renegotiated')) as open
        from commitments c left join stages s on s.key = c.made_stage
        where made_at >= $start and made_at < $end and made_at <= $now
        group by c.made_stage, s.position order by s.position nulls last, c.made_stage
        """,
        _params(period, now),
        commitments=frames.commitments,
        stages=frames.stages,
    )
    return [{**row, "kept_rate": ratio(row["kept"], row["kept"] + row["broken"])} for row in rows]


def repeated_discovery(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Repeated-discovery events in the period per handoff received by the
    stage they happened at (handoffs sent in the period)."""
    rows = sql(
        """
        with d as (select stage, count(*) as discoveries from discoveries
                   where occurred_at >= $start and occurred_at < $end and occurred_at <= $now
                   group by stage),
             h as (select to_stage as stage, count(*) as handoffs from handoffs
                   where sent_at >= $start and sent_at < $end and sent_at <= $now
                   group by to_stage)
        select coalesce(d.stage, h.stage) as stage,
               coalesce(d.discoveries, 0) as discoveries,
               coalesce(h.handoffs, 0) as handoffs
        from d full join h on d.stage = h.stage
        order by discoveries desc, stage
        """,
        _params(period, now),
        discoveries=frames.discoveries,
        handoffs=frames.handoffs,
    )
    discoveries = sum(row["discoveries"] for row in rows)
    handoffs = sum(row["handoffs"] for row in rows)
    return {
        "discoveries": discoveries,
        "handoffs": handoffs,
        "rate_per_handoff": ratio(discoveries, handoffs),
        "by_stage": [
            {**row, "rate_per_handoff": ratio(row["discoveries"], row["handoffs"])} for row in rows
        ],
    }


def silences(
    frames: Frames, period: Period, now: dt.datetime, gap_days: int = SILENCE_DAYS
) -> dict[str, Any]:
    """Gaps between consecutive interactions of a journey that end in the
    period; a silence is a gap longer than gap_days. `silent_now`: open
    journeys whose last interaction is more than gap_days before now."""
    params = _params(period, now) | {"gap": gap_days * 86400}
    row = sql(
        """
        with i as (
            select journey_id, occurred_at,
                   lag(occurred_at) over (partition by journey_id order by occurred_at) as prev
            from interactions where occurred_at <= $now
        ),
        g as (
            select journey_id, (days_between(prev, occurred_at) * 86400) as seconds from i
            where prev is not null and occurred_at >= $start and occurred_at < $end
        ),
        last as (
            select i.journey_id, max(i.occurred_at) as last_at
            from i join journeys j using (journey_id)
            where j.closed_at is null or j.closed_at > $now group by i.journey_id
        )
        select (select count(*) from g) as gaps,
               (select count(*) from g where seconds > $gap) as silences,
               (select count(distinct journey_id) from g) as journeys_with_gaps,
               (select count(distinct journey_id) from g where seconds > $gap)
                   as journeys_with_silence,
               (select median(seconds) / 86400 from g) as median_gap_days,
               (select count(*) from last where days_between(last_at, $now) * 86400 > $gap)
                   as silent_now
        """,
        params,
        interactions=frames.interactions,
        journeys=frames.journeys,
    )[0]
    return {
        "gap_days": gap_days,
        **row,
        "share_of_journeys_with_silence": ratio(
            row["journeys_with_silence"], row["journeys_with_gaps"]
        ),
    }


def continuity(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    return {
        "needs": needs_carried(frames, period, now),
        "promises": promises_by_stage(frames, period, now),
        "repeated_discovery": repeated_discovery(frames, period, now),
        "silences": silences(frames, period, now),
    }
