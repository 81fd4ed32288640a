"""Bow-tie metrics: per stage volume, conversion, time and drop-off; lead to
won; speed to lead. Pure functions of frames, a Period and `now`.

The period selects journeys by when they opened (the lead cohort); what
happened to them is counted up to `now` (anything recorded later is ignored).
docs/metrics.md defines every number."""

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

from onethread.insights import prepared_funnel, prepared_leads
from onethread.insights.frames import (
    Frames,
    Period,
    connect,
    fetch,
    ratio,
    sql,
)
from onethread.insights.stays import prepared_index, prepared_leads_of, stay_facts

GROUPS = {
    "all": "'all'",
    "cohort": "strftime(utc_month(opened_at), '%Y-%m')",
    "source": "coalesce(nullif(source, ''), '(no source)')",
    "team": "cast(team_id as varchar)",
    "member": "coalesce(cast(owner_id as varchar), '(no owner)')",
}
NO_SOURCE = "(no source)"

_COHORT = """
    select journey_id, outcome, outcome_reason, opened_at, won_at, first_touch_at, {group} as grp
    from journeys where opened_at >= $start and opened_at < $end and opened_at <= $now
"""

# The funnel in steps on one connection, keyed by integers (a stage's index
# in bow-tie order); the stays between the cohort and the entries are
# computed in arrow/numpy (see _stays).
_FUNNEL_STEPS = (
    """
create temp table st as
select key, position, kind = 'active' as active,
       cast(row_number() over (order by position, key) as integer) as idx
from stages
""",
    """
create temp table cohort as
select journey_id, outcome, outcome_reason, {group_expressions}
from journeys where opened_at >= $start and opened_at < $end and opened_at <= $now
""",
    # Per journey and active stage: advanced if it moved on after its first stay.
    """
create temp table entries as
select journey_id, idx, arg_min(moved_on, seq) as advanced
from stays where active group by journey_id, idx
""",
)
# Every grouping asked for in one pass of each query (grouping sets): `gby`
# names the grouping of a row, `grp` its group.
_COUNTS = """
with c as (select {which} as gby, {group} as grp, e.idx, count(*) as entered,
                  count(*) filter (where advanced) as advanced
           from entries e join cohort using (journey_id) group by grouping sets ({sets})),
t as (select {which} as gby, {group} as grp, s.idx,
             median(days_between(entered_at, left_at)) as median_days,
             quantile_cont(days_between(entered_at, left_at), 0.9) as p90_days,
             count(*) filter (where entered_at is null or left_at is null) as excluded
      from stays s join cohort using (journey_id) where finished group by grouping sets ({sets}))
select c.gby, c.grp, st.key as stage, c.entered, c.advanced, t.median_days, t.p90_days,
       coalesce(t.excluded, 0) as excluded
from c join st using (idx) left join t using (gby, grp, idx)
"""
_DROPS = """
select {which} as gby, {group} as grp, stage, outcome, reason, count(*) as journeys
from (select c.* exclude (outcome, outcome_reason), st.key as stage,
             coalesce(outcome, 'open') as outcome, coalesce(outcome_reason, '') as reason
      from entries e join cohort c using (journey_id) join st using (idx)
      where not e.advanced)
group by grouping sets ({drop_sets}) order by journeys desc, outcome, reason
"""

# The funnel groups by raw values (the opening month as year * 12 + month - 1)
# made text once per group rather than once per row, one group per label of
# GROUPS: (the value, its label); prepared_funnel.py labels them the same.
RAW_GROUPS = {
    "all": ("'all'", "g_all"),
    "cohort": (
        "cast(12 * year(utc_month(opened_at)) + month(utc_month(opened_at)) - 1 as integer)",
        "printf('%04d-%02d', g_cohort // 12, g_cohort % 12 + 1)",
    ),
    "source": (GROUPS["source"], "g_source"),
    "team": ("team_id", "cast(g_team as varchar)"),
    "member": ("owner_id", "coalesce(cast(g_member as varchar), '(no owner)')"),
}


def _grouping_sql(groupings: tuple[str, ...]) -> dict[str, str]:
    def case(then: str) -> str:
        whens = " ".join(f"when grouping(g_{by}) = 0 then {then.format(by=by)}" for by in groupings)
        return f"case {whens} end"

    labels = " ".join(f"when grouping(g_{by}) = 0 then {RAW_GROUPS[by][1]}" for by in groupings)
    return {
        "which": case("'{by}'"),
        "group": f"case {labels} end",
        "sets": ", ".join(f"(g_{by}, idx)" for by in groupings),
        "drop_sets": ", ".join(f"(g_{by}, stage, outcome, reason)" for by in groupings),
    }


def _params(period: Period, now: dt.datetime) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "now": now}


def _active_stages(frames: Frames) -> list[dict[str, Any]]:
    return sorted(
        (s for s in frames.stages.to_pylist() if s["kind"] == "active"),
        key=lambda s: s["position"],
    )


def funnels(
    frames: Frames, period: Period, now: dt.datetime, groupings: tuple[str, ...] = ("all",)
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """For each grouping (all, cohort month, source, team id, owner id): for
    each of its groups, the funnel, one row per active stage in bow-tie
    order. The stays are read once for every grouping asked for; the
    dashboards' copy counts its prepared stays in numpy."""
    index = prepared_index(frames, period.start, period.end, now)
    if index is not None:
        counts, drops = prepared_funnel.funnel_rows(*index, groupings)
        return _by_grouping(frames, groupings, counts, drops)
    expressions = ", ".join(f"{RAW_GROUPS[by][0]} as g_{by}" for by in groupings)
    parts = _grouping_sql(groupings)
    with connect(stages=frames.stages, journeys=frames.journeys) as con:
        fetch(con, _FUNNEL_STEPS[0])
        fetch(con, _FUNNEL_STEPS[1].format(group_expressions=expressions), _params(period, now))
        con.register("stays", _stays(con, frames, now))
        fetch(con, _FUNNEL_STEPS[2])
        counts = fetch(con, _COUNTS.format(**parts))
        drops = fetch(con, _DROPS.format(**parts))
    return _by_grouping(frames, groupings, counts, drops)


def _by_grouping(
    frames: Frames,
    groupings: tuple[str, ...],
    counts: list[dict[str, Any]],
    drops: list[dict[str, Any]],
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    stages = _active_stages(frames)
    return {
        by: _assemble(
            stages,
            [row for row in counts if row["gby"] == by],
            [row for row in drops if row["gby"] == by],
        )
        for by in groupings
    }


def _stays(con: duckdb.DuckDBPyConnection, frames: Frames, now: dt.datetime) -> pa.Table:
    cohort = con.sql("select journey_id from cohort").to_arrow_table()["journey_id"]
    return stay_facts(frames.visits, frames.stages, now, cohort)


def _assemble(
    stages: list[dict[str, Any]], counts: list[dict[str, Any]], drops: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    found = {(row["grp"], row["stage"]): row for row in counts}
    endings: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in drops:
        endings.setdefault((d["grp"], d["stage"]), []).append(
            {"outcome": d["outcome"], "reason": d["reason"], "journeys": d["journeys"]}
        )
    result = {}
    for grp in sorted({row["grp"] for row in counts}):
        rows = []
        for stage in stages:
            row = found.get((grp, stage["key"]), {})
            entered, advanced = row.get("entered", 0), row.get("advanced", 0)
            rows.append(
                {
                    "stage": stage["key"],
                    "name": stage["name"],
                    "side": stage["side"],
                    "entered": entered,
                    "advanced": advanced,
                    "dropped": entered - advanced,
                    "conversion_rate": ratio(advanced, entered),
                    "median_days_in_stage": row.get("median_days"),
                    "p90_days_in_stage": row.get("p90_days"),
                    "excluded_without_time": row.get("excluded", 0),
                    "drop_off": endings.get((grp, stage["key"]), []),
                }
            )
        result[grp] = rows
    return result


def funnel_by(
    frames: Frames, period: Period, now: dt.datetime, by: str = "all"
) -> dict[str, list[dict[str, Any]]]:
    """One grouping of `funnels`: {group: funnel}."""
    return funnels(frames, period, now, (by,))[by]


BREAKDOWNS = ("cohort", "source", "team", "member")


def funnel_breakdowns(
    frames: Frames, period: Period, now: dt.datetime
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The funnel by cohort, source, team and owner, in one pass."""
    return funnels(frames, period, now, BREAKDOWNS)


def funnel(frames: Frames, period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """The funnel over every journey opened in the period."""
    return overall(funnel_by(frames, period, now), frames)


def overall(groups: dict[str, list[dict[str, Any]]], frames: Frames) -> list[dict[str, Any]]:
    """The single funnel of the 'all' grouping (every stage at zero when empty)."""
    return groups.get("all") or [_empty_stage(stage) for stage in _active_stages(frames)]


def _empty_stage(stage: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage": stage["key"],
        "name": stage["name"],
        "side": stage["side"],
        "entered": 0,
        "advanced": 0,
        "dropped": 0,
        "conversion_rate": None,
        "median_days_in_stage": None,
        "p90_days_in_stage": None,
        "excluded_without_time": 0,
        "drop_off": [],
    }


_WON = (
    """
with j as ("""
    + _COHORT
    + """)
select grp,
       count(*) as leads,
       count(*) filter (where won_at is not null and won_at <= $now) as won,
       median(days_between(opened_at, won_at))
           filter (where won_at is not null and won_at <= $now) as median_days,
       quantile_cont(days_between(opened_at, won_at), 0.9)
           filter (where won_at is not null and won_at <= $now) as p90_days
from j group by grp order by leads desc, grp
"""
)


def lead_to_won_by(
    frames: Frames, period: Period, now: dt.datetime, by: str = "all"
) -> list[dict[str, Any]]:
    ready = prepared_leads_of(frames, period.start, period.end, now)
    if ready is not None and by in prepared_leads.GROUPINGS:
        rows = prepared_leads.lead_rows(*ready, by)
    else:
        rows = sql(_WON.format(group=GROUPS[by]), _params(period, now), journeys=frames.journeys)
    return [
        {
            "group": row["grp"],
            "leads": row["leads"],
            "won": row["won"],
            "conversion_rate": ratio(row["won"], row["leads"]),
            "median_days": row["median_days"],
            "p90_days": row["p90_days"],
        }
        for row in rows
    ]


def lead_to_won(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Leads opened in the period, how many were won (by now), and the days
    from first contact (opened_at) to the win."""
    rows = lead_to_won_by(frames, period, now)
    if not rows:
        return {
            "leads": 0,
            "won": 0,
            "conversion_rate": None,
            "median_days": None,
            "p90_days": None,
        }
    row = rows[0]
    del row["group"]
    return row


def by_source(frames: Frames, period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"source": row.pop("group"), **row}
        for row in lead_to_won_by(frames, period, now, by="source")
    ]


_SPEED = (
    """
with j as ("""
    + _COHORT
    + """),
t as (
    select grp, case when first_touch_at is not null and first_touch_at <= $now
                     then greatest(days_between(opened_at, first_touch_at), 0) * 86400
                end as seconds
    from j
)
select grp, count(*) as leads, count(seconds) as touched,
       median(seconds) / 86400 as median_days,
       count(*) filter (where seconds <= 3600) as within_hour,
       count(*) filter (where seconds <= 86400) as within_day
from t group by grp order by grp
"""
)


def speed_to_lead(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """From a lead's opening to its first logged touch."""
    ready = prepared_leads_of(frames, period.start, period.end, now)
    if ready is not None:
        found = prepared_leads.speed_row(*ready)
        rows = [] if found is None else [found]
    else:
        params = _params(period, now)
        rows = sql(_SPEED.format(group=GROUPS["all"]), params, journeys=frames.journeys)
    row: dict[str, Any] = (
        rows[0]
        if rows
        else {"leads": 0, "touched": 0, "median_days": None, "within_hour": 0, "within_day": 0}
    )
    leads = row["leads"]
    return {
        "leads": leads,
        "touched": row["touched"],
        "never_touched": leads - row["touched"],
        "median_days": row["median_days"],
        "share_within_1h": ratio(row["within_hour"], leads),
        "share_within_24h": ratio(row["within_day"], leads),
    }
