"""Whole-journey scorecards: each member's stage-local number beside the
downstream outcomes of the journeys they worked, and per role the
compartmentalisation gap (Spearman rank correlation between the two)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from onethread.insights import stays
from onethread.insights.frames import (
    Frames,
    Period,
    derived,
    kept_derived,
    member_of,
    ratio,
    sql,
    sql_table,
    unrestricted,
)

TOP_DISAGREEMENTS = 3
MIN_MEMBERS = 3

# role → (its stage roles, local number, its label, outcome, its label)
FAMILIES: dict[str, tuple[tuple[str, ...], str, str, str, str]] = {
    "sdr": (
        ("sdr", "lead_generation"),
        "qualified",
        "leads qualified (advanced)",
        "activated_share_of_qualified",
        "share of qualified leads activated",
    ),
    "ae": (("ae",), "won", "deals won", "activated_share", "share of won deals activated"),
    "post_sale": (
        ("onboarding", "csm", "support"),
        "tickets_resolved",
        "tickets resolved",
        "retained_share",
        "share of accounts not churned",
    ),
}
FAMILY_OF_ROLE = {
    "sdr": "sdr",
    "lead_generation": "sdr",
    "ae": "ae",
    "onboarding": "post_sale",
    "csm": "post_sale",
    "support": "post_sale",
}

# The seats of each member at a stage of their role, with the lowest such
# stage's position per journey: the same for every view of one copy, which
# has them prepared (`prepare`) with the journey columns the cards read.
_WORKED = """
fam as (select * from (values {families}) f(role, stage_role)),
worked as (
    select se.member_id, m.role, se.journey_id, min(st.position) as position
    from seats se join stages st on st.key = se.stage
    join members m on m.member_id = se.member_id
    join fam on fam.role = m.role and fam.stage_role = st.owner_role
    group by all
)"""
# The furthest active stage each journey entered by now.
_REACH = """reach as (
    select v.journey_id, max(s.position) as max_position
    from visits v join stages s on s.key = v.stage
    where s.kind = 'active' and (v.entered_at is null or v.entered_at <= $now)
    group by v.journey_id
)"""
_FROM_FRAMES = f"""
with j as (
    select * from journeys where opened_at >= $start and opened_at < $end and opened_at <= $now
),
{_REACH},
{_WORKED},
mj as (
    select w.member_id, w.role, j.*, coalesce(r.max_position, 0) > w.position as advanced
    from worked w join j using (journey_id) left join reach r using (journey_id)
),"""
# The prepared seats of the journeys opened in the period (`worked_of`); the
# reach of the journeys with a stay after the copy's cutoff is computed per
# view (`late_reach`).
_FROM_PREPARED = """
with mj as (
    select w.*, coalesce(w.max_position, l.max_position, 0) > w.position as advanced
    from worked_of w left join late_reach l using (journey_id)
),"""
_PER_MEMBER = """
tk as (
    select journey_id, count(*) as resolved from tickets
    where status = 'resolved' and resolved_at <= $now group by journey_id
),
per as (
    select member_id, role,
           count(*) as journeys,
           count(*) filter (where advanced) as qualified,
           count(*) filter (where won_at <= $now) as won,
           count(*) filter (where advanced and won_at <= $now) as qualified_won,
           count(*) filter (where advanced and won_at <= $now and first_value_at <= $now)
               as qualified_activated,
           count(*) filter (where won_at <= $now and first_value_at <= $now) as activated,
           count(*) filter (where outcome = 'churned' and closed_at <= $now) as churned,
           count(*) filter (where days_between(won_at, $now) >= 365) as won_a_year_ago,
           count(*) filter (where days_between(won_at, $now) >= 365 and not coalesce(
               outcome = 'churned' and days_between(won_at, closed_at) <= 365, false))
               as kept_first_year,
           median(days_between(won_at, first_value_at))
               filter (where first_value_at <= $now) as median_days_to_first_value,
           coalesce(sum(revenue_after_won), 0.0) as value,
           coalesce(sum(tk.resolved), 0) as tickets_resolved
    from mj left join tk using (journey_id) group by member_id, role
),
ho as (
    select from_member_id as member_id, count(*) as handoffs_sent,
           count(*) filter (where status = 'returned') as handoffs_returned,
           count(*) filter (where status = 'accepted') as handoffs_accepted
    from handoffs where sent_at >= $start and sent_at < $end and sent_at <= $now
    group by all
),
pr as (
    select made_by_member_id as member_id,
           count(*) filter (where status = 'kept') as promises_kept,
           count(*) filter (where status = 'broken') as promises_broken
    from commitments where made_at >= $start and made_at < $end and made_at <= $now
    group by all
)
select per.member_id, m.name, per.role, per.* exclude (member_id, role),
       coalesce(ho.handoffs_sent, 0) as handoffs_sent,
       coalesce(ho.handoffs_accepted, 0) as handoffs_accepted,
       coalesce(ho.handoffs_returned, 0) as handoffs_returned,
       coalesce(pr.promises_kept, 0) as promises_kept,
       coalesce(pr.promises_broken, 0) as promises_broken
from per join (select distinct member_id, name from members) m using (member_id)
left join ho using (member_id) left join pr using (member_id)
order by per.role, m.name, per.member_id
"""
_PREPARE = """
with {worked}
select w.*, j.opened_at, j.won_at, j.first_value_at, j.outcome, j.closed_at,
       j.revenue_after_won, r.max_position
from worked w join journeys j using (journey_id) left join reach r using (journey_id)
where j.opened_at is not null
order by j.opened_at, w.journey_id, w.member_id, w.role
"""
KEY = "prepared seats"


@dataclass(frozen=True)
class PreparedSeats:
    """The worked seats with their journey's columns, sorted by opening
    (`opened`: in microseconds), and the reach of journeys with no stay after
    the cutoff (null for the others)."""

    cutoff: dt.datetime
    rows: pa.Table
    opened: np.ndarray


def prepare(
    frames: Frames, cutoff: dt.datetime, previous: stays.Previous | None = None
) -> PreparedSeats:
    """Prepare the stays (stays.prepare, with `previous`) and the seats for
    views at `cutoff` or later, once per frames (the dashboards' copy)."""
    return derived(frames, KEY, lambda source: _prepare(source, cutoff, previous))


def _prepare(frames: Frames, cutoff: dt.datetime, previous: stays.Previous | None) -> PreparedSeats:
    prepared = stays.prepare(frames, cutoff, previous)
    rows = sql_table(
        _PREPARE.format(worked=_WORKED.format(families=_families_sql())),
        journeys=frames.journeys,
        stages=frames.stages,
        seats=frames.seats,
        members=frames.members,
        reach=prepared.reach,
    )
    opened = rows["opened_at"].combine_chunks().cast(pa.int64())
    return PreparedSeats(prepared.cutoff, rows, np.asarray(opened.to_numpy(), dtype=np.int64))


def _prepared_rows(frames: Frames, period: Period, now: dt.datetime) -> pa.Table | None:
    """The prepared seats of the journeys of `frames` opened in the period and
    by now; None when the frames were not prepared for this `now`."""
    source, kept = unrestricted(frames)
    seats = kept_derived(source, KEY)
    if not isinstance(seats, PreparedSeats) or stays.prepared_for(frames, now) is None:
        return None
    bounds = [
        int((moment - stays.EPOCH) // stays.MICROSECOND)
        for moment in (period.start, period.end, now)
    ]
    first = int(np.searchsorted(seats.opened, bounds[0], side="left"))
    last = min(
        int(np.searchsorted(seats.opened, bounds[1], side="left")),
        int(np.searchsorted(seats.opened, bounds[2], side="right")),
    )
    rows = seats.rows.slice(first, max(last - first, 0))
    if kept is not None:
        rows = rows.filter(member_of(rows["journey_id"], kept))
    return rows


def _families_sql() -> str:
    pairs = [
        (role, stage_role)
        for role, family in FAMILY_OF_ROLE.items()
        for stage_role in FAMILIES[family][0]
    ]
    return ", ".join(f"('{role}', '{stage_role}')" for role, stage_role in pairs)


def member_scorecards(frames: Frames, period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """One row per member and role (a member may hold several) who worked a
    journey opened in the period at a stage of that role: the local number,
    the outcome and the downstream counts."""
    tables = {name: getattr(frames, name) for name in ("tickets", "handoffs", "commitments")}
    tables["members"] = frames.members
    worked = _prepared_rows(frames, period, now)
    if worked is None:
        names = ("journeys", "stages", "seats", "visits")
        tables.update((name, getattr(frames, name)) for name in names)
        query = _FROM_FRAMES.format(families=_families_sql()) + _PER_MEMBER
    else:
        tables["worked_of"] = worked
        tables["late_reach"] = stays.late_reach(frames, now)
        query = _FROM_PREPARED + _PER_MEMBER
    rows = sql(query, {"start": period.start, "end": period.end, "now": now}, **tables)
    cards = []
    for row in rows:
        family = FAMILY_OF_ROLE[row["role"]]
        _, local_key, local_label, outcome_key, outcome_label = FAMILIES[family]
        row["won_share"] = ratio(row["qualified_won"], row["qualified"])
        row["activated_share"] = ratio(row["activated"], row["won"])
        row["activated_share_of_qualified"] = ratio(row["qualified_activated"], row["qualified"])
        row["retained_share"] = ratio(row["journeys"] - row["churned"], row["journeys"])
        row["first_year_retention"] = ratio(row["kept_first_year"], row["won_a_year_ago"])
        row["promises_kept_rate"] = ratio(
            row["promises_kept"], row["promises_kept"] + row["promises_broken"]
        )
        row["value"] = round(row["value"], 2)
        cards.append(
            {
                **row,
                "family": family,
                "local_label": local_label,
                "local": row[local_key],
                "outcome_label": outcome_label,
                "outcome": row[outcome_key],
            }
        )
    return cards


def average_ranks(values: list[float]) -> list[float]:
    """Rank 1 = the highest value; ties share the average of their ranks."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (Pearson's on average ranks); None when
    fewer than two values or when either ranking is all ties."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if not vx or not vy:
        return None
    return cov / (vx * vy) ** 0.5


def compartmentalisation_gaps(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per role family: how the ranking by local number agrees with the ranking
    by journey outcome, and the members whose two ranks differ most."""
    result = []
    for family, (_, _, local_label, _, outcome_label) in FAMILIES.items():
        ranked = [
            c
            for c in cards
            if c["family"] == family and c["local"] is not None and c["outcome"] is not None
        ]
        correlation = None
        disagreements: list[dict[str, Any]] = []
        if len(ranked) >= MIN_MEMBERS:
            locals_ = [float(c["local"]) for c in ranked]
            outcomes = [float(c["outcome"]) for c in ranked]
            correlation = spearman(locals_, outcomes)
            local_ranks, outcome_ranks = average_ranks(locals_), average_ranks(outcomes)
            pairs = sorted(
                zip(ranked, local_ranks, outcome_ranks, strict=True),
                key=lambda p: (-abs(p[1] - p[2]), p[0]["name"]),
            )
            disagreements = [
                {
                    "member_id": c["member_id"],
                    "name": c["name"],
                    "local": c["local"],
                    "outcome": c["outcome"],
                    "local_rank": lr,
                    "outcome_rank": orank,
                }
                for c, lr, orank in pairs[:TOP_DISAGREEMENTS]
                if lr != orank
            ]
        result.append(
            {
                "family": family,
                "local_label": local_label,
                "outcome_label": outcome_label,
                "members": len(ranked),
                "spearman": correlation,
                "disagreements": disagreements,
            }
        )
    return result


def scorecards(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    cards = member_scorecards(frames, period, now)
    return {"members": cards, "gaps": compartmentalisation_gaps(cards)}
