"""The compartmentalisation report: every metric family over a period, and
the findings it draws from them (the biggest leaks, the context lost at each
handoff, the stage-local vs journey-outcome gaps, and what to change first),
each with the figures behind it. `build_report` is pure (frames, period,
now), except the risk back-test, read from the database by the signals app
unless given; `onethread report` renders it as text, JSON or HTML."""

import datetime as dt
from typing import Any

from onethread.insights import bowtie, continuity, handoff_health, post_sale, scorecards
from onethread.insights.frames import Frames, Period, sql

TOP_LEAKS = 3
ACTIVATION_FLOOR = 0.5
RETURN_CEILING = 0.2


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} days"


def revenue_window(frames: Frames, period: Period, now: dt.datetime, explicit_end: bool) -> Period:
    """The quarter (three calendar months) ending at the period's end if one
    was given, otherwise at the end of the latest month with value recorded."""
    end = period.end
    if not explicit_end:
        rows = sql(
            "select max(month) as last from monthly_value where month <= $today",
            {"today": now.date()},
            monthly_value=frames.monthly_value,
        )
        last = rows[0]["last"] if rows else None
        if last is not None:
            end = dt.datetime(last.year, last.month, 1, tzinfo=dt.UTC)
            end = _add_months(end, 1)
    start = _add_months(end.replace(day=1, hour=0, minute=0, second=0, microsecond=0), -3)
    return Period(start, max(end, start))


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def unrecorded_handoffs(frames: Frames, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Changes of owner between stages (account-team owners) on journeys opened
    in the period, against handoff records: context passed with no brief."""
    row = sql(
        """
        with j as (select journey_id from journeys
                   where opened_at >= $start and opened_at < $end and opened_at <= $now),
        owners as (select journey_id, count(distinct member_id) as owners from seats
                   where owned and journey_id in (select journey_id from j) group by journey_id)
        select coalesce(sum(owners - 1), 0) as owner_changes,
               count(*) filter (where owners > 1) as journeys_changing_hands,
               (select count(*) from handoffs where journey_id in (select journey_id from j))
                   as handoff_records
        from owners
        """,
        {"start": period.start, "end": period.end, "now": now},
        journeys=frames.journeys,
        seats=frames.seats,
        handoffs=frames.handoffs,
    )[0]
    return {key: int(value) for key, value in row.items()}


def build_report(
    frames: Frames,
    period: Period,
    now: dt.datetime,
    *,
    risk_backtest: dict[str, Any],
    explicit_end: bool = False,
) -> dict[str, Any]:
    """risk_backtest: the first-value back-test section, read by the caller
    (signals.backtest_report.risk_backtest_section) over every won journey."""
    window = revenue_window(frames, period, now, explicit_end)
    sale = post_sale.post_sale(frames, period, now)
    sale["retention_by_cohort"] = post_sale.retention_by_cohort(frames, period, now)
    sale["revenue_retention"] = {
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        **post_sale.revenue_retention(frames, window, now),
    }
    report: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "journeys": frames.journeys.num_rows,
        "funnel": bowtie.funnel(frames, period, now),
        "lead_to_won": bowtie.lead_to_won(frames, period, now),
        "by_source": bowtie.by_source(frames, period, now),
        "speed_to_lead": bowtie.speed_to_lead(frames, period, now),
        "handoffs": handoff_health.handoff_health(frames, period, now)
        | {"unrecorded": unrecorded_handoffs(frames, period, now)},
        "continuity": continuity.continuity(frames, period, now),
        "post_sale": sale,
        "scorecards": scorecards.scorecards(frames, period, now),
        "risk_backtest": risk_backtest,
    }
    report["findings"] = findings(report)
    return report


def findings(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "leaks": leaks(report["funnel"]),
        "handoffs": handoff_findings(report["handoffs"]),
        "gaps": gap_findings(report["scorecards"]["gaps"]),
        "change_first": change_first(report),
    }


def leaks(funnel: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stages that lose most journeys (entered but never reached a later stage)."""
    ranked = sorted((row for row in funnel if row["dropped"]), key=lambda row: -row["dropped"])
    result = []
    for row in ranked[:TOP_LEAKS]:
        endings = ", ".join(
            f"{d['outcome']}{' (' + d['reason'] + ')' if d['reason'] else ''}: {d['journeys']}"
            for d in row["drop_off"][:4]
        )
        result.append(
            {
                "stage": row["stage"],
                "dropped": row["dropped"],
                "entered": row["entered"],
                "conversion_rate": row["conversion_rate"],
                "text": f"{row['name']}: {row['dropped']:,} of {row['entered']:,} journeys "
                f"never reached a later stage (conversion {_percent(row['conversion_rate'])}); "
                f"where they stand: {endings}.",
            }
        )
    return result


def handoff_findings(handoffs: dict[str, Any]) -> list[dict[str, Any]]:
    """What was lost at each handoff: returns, incomplete contracts, missing items."""
    result = []
    for row in handoffs["by_transition"]:
        missing = "; ".join(f"{m['item']} ({m['handoffs']})" for m in row["top_missing"][:3])
        text = (
            f"{row['from_stage']} → {row['to_stage']}: {row['sent']} sent, {row['returned']} "
            f"returned (return rate {_percent(row['return_rate'])}), contract completeness "
            f"{_percent(row['average_completeness'])}, {row['overridden_items']} required "
            f"item(s) overridden, {row['overdue']} overdue"
        )
        result.append(
            {**row, "text": text + (f"; receivers missed: {missing}." if missing else ".")}
        )
    unrecorded = handoffs["unrecorded"]
    if unrecorded["owner_changes"] and not unrecorded["handoff_records"]:
        result.append(
            {
                **unrecorded,
                "text": f"{unrecorded['owner_changes']:,} changes of owner on "
                f"{unrecorded['journeys_changing_hands']:,} journeys, and no handoff record: "
                "the context passed with no brief, no contract and no acceptance.",
            }
        )
    return result


def gap_findings(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for gap in gaps:
        if gap["spearman"] is None:
            continue
        worst = "; ".join(
            f"{d['name']} (rank {d['local_rank']:g} by {gap['local_label']}, "
            f"{d['outcome_rank']:g} by {gap['outcome_label']})"
            for d in gap["disagreements"]
        )
        result.append(
            {
                **gap,
                "text": f"{gap['family'].upper()}: ranking by {gap['local_label']} vs by "
                f"{gap['outcome_label']}: Spearman {gap['spearman']:.2f} over "
                f"{gap['members']} members. Most apart: {worst or 'none'}.",
            }
        )
    return result


def change_first(report: dict[str, Any]) -> dict[str, Any]:
    """One recommendation, by a fixed rule: a weak activation after the sale
    first (revenue already won is being lost), then a handoff that returns
    too often, then the biggest leak of the funnel."""
    sale = report["post_sale"]
    if sale["won"] and (sale["activation_rate"] or 0) < ACTIVATION_FLOOR:
        return {
            "area": "activation",
            "text": f"Own activation after the sale: only {sale['activated']:,} of "
            f"{sale['won']:,} won customers ({_percent(sale['activation_rate'])}) recorded "
            f"value; the median time to first value is "
            f"{_days(sale['median_days_to_first_value'])}. Keep the closer on the account "
            "until first value, and measure closers on it.",
        }
    worst = max(
        report["handoffs"]["by_transition"],
        key=lambda row: row["return_rate"] or 0,
        default=None,
    )
    if worst and (worst["return_rate"] or 0) > RETURN_CEILING:
        return {
            "area": "handoff",
            "text": f"Fix the {worst['from_stage']} → {worst['to_stage']} handoff: "
            f"{_percent(worst['return_rate'])} are returned; complete its contract before "
            "sending.",
        }
    found = leaks(report["funnel"])
    if found:
        return {"area": "leak", "text": f"Work on the biggest leak first. {found[0]['text']}"}
    return {"area": "none", "text": "Not enough data to recommend a change."}
