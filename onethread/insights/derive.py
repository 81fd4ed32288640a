"""From the journey event log to the per-journey aggregates the metrics read:
stage visits, value facts and monthly value. Pure: arrow tables in, arrow
tables out; the refresh (services.py) runs them on the affected journeys, a
full recompute (or the benchmark) on all of them.

The events frame (EVENTS) has one row per event: its id (the log's order),
journey, kind, the stage it concerns (for stage_entered: the stage entered),
when it happened (null when the source does not say) and, for value events,
the amount."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onethread.insights.frames import SCHEMAS, TIME, sql_table

EVENTS = pa.schema(
    [
        ("event_id", pa.int64()),
        ("journey_id", pa.int64()),
        ("kind", pa.string()),
        ("stage", pa.string()),
        ("occurred_at", TIME),
        ("amount", pa.float64()),
    ]
)
BASE = pa.schema(
    [f for f in SCHEMAS["journeys"] if f.name not in ("first_value_at", "revenue_after_won")]
)

STAGE_ENTERED = "stage_entered"
VALUE_RECORDED = "value_recorded"


def visits(events: pa.Table) -> pa.Table:
    """One row per stay in a stage, in the log's order (by event id, not by
    time: imported changes may have no time). A stay ends when the next stage
    is entered; the last one is open (left_at and next_stage null).

    Vectorised rather than an SQL window: the stage changes sorted by
    (journey, event id) (the log usually is already), each stay's end is the
    next row of the same journey, its seq its place in the journey's run."""
    stays = events.filter(pc.equal(events["kind"], STAGE_ENTERED)).select(
        ["journey_id", "event_id", "stage", "occurred_at"]
    )
    if stays.num_rows == 0:
        return SCHEMAS["visits"].empty_table()
    journey = stays["journey_id"].to_numpy()
    event = stays["event_id"].to_numpy()
    in_order = (journey[1:] > journey[:-1]) | (
        (journey[1:] == journey[:-1]) & (event[1:] > event[:-1])
    )
    if not in_order.all():
        order = np.lexsort((event, journey))
        stays, journey = stays.take(order), journey[order]
    count = len(journey)
    position = np.arange(count)
    same_next = np.append(journey[1:] == journey[:-1], False)
    first = np.insert(journey[1:] != journey[:-1], 0, True)
    seq = position - np.maximum.accumulate(np.where(first, position, 0)) + 1
    following = pa.array(position + 1, mask=~same_next)
    table = pa.table(
        {
            "journey_id": stays["journey_id"],
            "seq": pa.array(seq, pa.int32()),
            "stage": stays["stage"],
            "entered_at": stays["occurred_at"],
            "left_at": stays["occurred_at"].take(following),
            "next_stage": stays["stage"].take(following),
        }
    )
    return table.cast(SCHEMAS["visits"])


def journeys(base: pa.Table, events: pa.Table) -> pa.Table:
    """The journeys frame: each journey's current state (base) with its first
    value event at or after the win and the revenue of those value events."""
    table = sql_table(
        """
        with value as (
            select e.journey_id,
                   min(e.occurred_at) as first_value_at,
                   sum(e.amount) as revenue_after_won
            from events e join base b using (journey_id)
            where e.kind = $kind and b.won_at is not null and e.occurred_at >= b.won_at
            group by e.journey_id
        )
        select b.*, v.first_value_at, coalesce(v.revenue_after_won, 0.0) as revenue_after_won
        from base b left join value v using (journey_id)
        order by b.journey_id
        """,
        {"kind": VALUE_RECORDED},
        base=base,
        events=events,
    )
    return table.select(SCHEMAS["journeys"].names).cast(SCHEMAS["journeys"])


def monthly_value(events: pa.Table) -> pa.Table:
    """Value delivered per journey and calendar month (UTC); value events
    without a time are left out."""
    table = sql_table(
        """
        select journey_id,
               utc_month(occurred_at)::date as month,
               coalesce(sum(amount), 0.0) as amount,
               count(*) as events
        from events
        where kind = $kind and occurred_at is not null
        group by all
        order by journey_id, month
        """,
        {"kind": VALUE_RECORDED},
        events=events,
    )
    return table.cast(SCHEMAS["monthly_value"])
