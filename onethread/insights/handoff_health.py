"""Handoff metrics per transition (from stage → to stage) and overall, for the
handoffs sent in the period. The definitions are the handoffs app's own
(onethread/handoffs/insights.py, docs/handoffs.md): acceptance rate, overdue
(answered after the deadline, or still waiting past it) and the most named
missing items come from there; this module counts them over frames."""

import datetime as dt
from typing import Any

from onethread.handoffs import insights as handoff_insights
from onethread.insights.frames import Frames, Period, ratio, sql

_COUNTS = """
with h as (
    select *, {group} as grp from handoffs
    where sent_at >= $start and sent_at < $end and sent_at <= $now
)
select grp,
       count(*) as sent,
       count(*) filter (where status = 'accepted') as accepted,
       count(*) filter (where status = 'returned') as returned,
       count(*) filter (where status = 'pending') as waiting,
       count(*) filter (where (responded_at is not null and responded_at > due_at)
                        or (responded_at is null and status = 'pending' and $now > due_at))
           as overdue,
       median(days_between(sent_at, responded_at))
           filter (where status = 'accepted' and responded_at is not null) as median_days,
       quantile_cont(days_between(sent_at, responded_at), 0.9)
           filter (where status = 'accepted' and responded_at is not null) as p90_days,
       avg(rating) filter (where status = 'accepted' and rating is not null) as average_rating,
       avg(completeness) as average_completeness,
       coalesce(sum(overridden_items), 0) as overridden_items,
       count(*) filter (where overridden_items > 0) as overridden_handoffs
from h group by grp order by sent desc, grp
"""

_REASONS = """
select {group} as grp, return_reason as reason, count(*) as handoffs from handoffs
where sent_at >= $start and sent_at < $end and sent_at <= $now and status = 'returned'
group by all order by handoffs desc, reason
"""

_MISSING = """
select {group} as grp, missing from handoffs
where sent_at >= $start and sent_at < $end and sent_at <= $now and len(missing) > 0
"""

TRANSITION = "from_stage || ' → ' || to_stage"


def _summary(row: dict[str, Any], reasons: list[dict], missing: list[dict]) -> dict[str, Any]:
    accepted, returned = row["accepted"], row["returned"]
    rows = [
        handoff_insights.HandoffRow(
            sent_at=dt.datetime.min, due_at=dt.datetime.min, status="", missing=tuple(m["missing"])
        )
        for m in missing
        if m["grp"] == row["grp"]
    ]
    return {
        "sent": row["sent"],
        "accepted": accepted,
        "returned": returned,
        "waiting": row["waiting"],
        "overdue": row["overdue"],
        "acceptance_rate": handoff_insights.acceptance_rate(accepted, returned),
        "return_rate": ratio(returned, accepted + returned),
        "median_days_to_accept": row["median_days"],
        "p90_days_to_accept": row["p90_days"],
        "average_rating": row["average_rating"],
        "average_completeness": row["average_completeness"],
        "overridden_items": int(row["overridden_items"]),
        "overridden_handoffs": row["overridden_handoffs"],
        "return_reasons": [
            {"reason": r["reason"] or "(none given)", "handoffs": r["handoffs"]}
            for r in reasons
            if r["grp"] == row["grp"]
        ],
        "top_missing": [
            {"item": item, "handoffs": count} for item, count in handoff_insights.top_missing(rows)
        ],
    }


def _by(frames: Frames, period: Period, now: dt.datetime, group: str) -> list[dict[str, Any]]:
    params = {"start": period.start, "end": period.end, "now": now}
    tables = {"handoffs": frames.handoffs}
    counts = sql(_COUNTS.format(group=group), params, **tables)
    reasons = sql(_REASONS.format(group=group), params, **tables)
    missing = sql(_MISSING.format(group=group), params, **tables)
    return [{"group": row["grp"], **_summary(row, reasons, missing)} for row in counts]


def handoff_health(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Overall and per transition; `overall` is None when nothing was sent."""
    overall = _by(frames, period, now, "'all'")
    transitions = _by(frames, period, now, TRANSITION)
    for row in transitions:
        row["from_stage"], row["to_stage"] = row["group"].split(" → ", 1)
    return {"overall": overall[0] if overall else None, "by_transition": transitions}
