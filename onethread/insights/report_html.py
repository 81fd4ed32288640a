"""The report as one self-contained HTML page: inline CSS and SVG charts, no
script and no external resource, so it reads offline."""

from collections.abc import Sequence
from html import escape
from typing import Any

from onethread.insights import charts

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a202c;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #cbd5e0}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #cbd5e0;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#edf2f7}
.finding{background:#fffaf0;border-left:4px solid #dd6b20;padding:.5rem .8rem;margin:.5rem 0}
.first{background:#f0fff4;border-left-color:#38a169}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#4a5568}
"""


PERCENT = ("rate", "share", "grr", "nrr", "completeness", "retention")


def _cell(value: Any, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.0%}" if percent else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(str(value))


def table(caption: str, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """columns: (key, heading); keys ending in _rate or _share print as percent."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(row.get(key), key.endswith(PERCENT))}</td>" for key, _ in columns)
        + "</tr>"
        for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _findings(report: dict[str, Any]) -> str:
    found = report["findings"]
    parts = [
        "<h2>Diagnosis</h2>",
        f'<p class="finding first"><strong>Change first:</strong> '
        f"{escape(found['change_first']['text'])}</p>",
        "<h3>The biggest leaks</h3>",
    ]
    parts += [f'<p class="finding">{escape(item["text"])}</p>' for item in found["leaks"]] or [
        "<p>No journey left the funnel.</p>"
    ]
    parts.append("<h3>Context lost at each handoff</h3>")
    parts += [f'<p class="finding">{escape(item["text"])}</p>' for item in found["handoffs"]] or [
        "<p>No handoffs in the period.</p>"
    ]
    parts.append("<h3>Stage-local numbers vs journey outcomes</h3>")
    parts += [f'<p class="finding">{escape(item["text"])}</p>' for item in found["gaps"]] or [
        "<p>Too few members per role to rank (three are needed).</p>"
    ]
    return "".join(parts)


def _funnel(report: dict[str, Any]) -> str:
    funnel = report["funnel"]
    volume = charts.bars(
        "Journeys entering each stage, and advancing past it",
        [(row["name"], (row["entered"], row["advanced"])) for row in funnel],
        ("entered", "advanced"),
    )
    times = charts.bars(
        "Days in each stage (median and 90th percentile)",
        [(row["name"], (row["median_days_in_stage"], row["p90_days_in_stage"])) for row in funnel],
        ("median", "p90"),
        unit="d",
    )
    columns = [
        ("name", "Stage"),
        ("entered", "Entered"),
        ("advanced", "Advanced"),
        ("conversion_rate", "Conversion"),
        ("median_days_in_stage", "Median days"),
        ("p90_days_in_stage", "p90 days"),
        ("excluded_without_time", "Excluded (no time)"),
    ]
    return (
        "<h2>The bow tie</h2>"
        + figure(volume, "Volume and conversion per stage.")
        + table("Per stage", funnel, columns)
        + figure(times, "Time in stage, over stays that ended and whose times are known.")
    )


def _selling(report: dict[str, Any]) -> str:
    won, speed = report["lead_to_won"], report["speed_to_lead"]
    sources = report["by_source"]
    chart = charts.bars(
        "Lead-to-won conversion by source",
        [(row["source"], (row["conversion_rate"],)) for row in sources[:12]],
        ("conversion",),
        percent=True,
    )
    return (
        "<h2>Lead to won</h2>"
        + table(
            "Lead to won",
            [won],
            [
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion"),
                ("median_days", "Median days to win"),
            ],
        )
        + figure(chart, "Conversion by source (the 12 largest).")
        + table(
            "By source",
            sources,
            [
                ("source", "Source"),
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion"),
                ("median_days", "Median days"),
            ],
        )
        + table(
            "Speed to lead",
            [speed],
            [
                ("leads", "Leads"),
                ("touched", "Touched"),
                ("never_touched", "Never touched"),
                ("median_days", "Median days"),
                ("share_within_1h", "Within 1 h share"),
                ("share_within_24h", "Within 24 h share"),
            ],
        )
    )


def _handoffs(report: dict[str, Any]) -> str:
    rows = report["handoffs"]["by_transition"]
    columns = [
        ("group", "Transition"),
        ("sent", "Sent"),
        ("accepted", "Accepted"),
        ("returned", "Returned"),
        ("acceptance_rate", "Acceptance rate"),
        ("median_days_to_accept", "Median days to accept"),
        ("average_completeness", "Completeness"),
        ("average_rating", "Rating"),
        ("overridden_items", "Overridden items"),
        ("overdue", "Overdue"),
    ]
    chart = charts.bars(
        "Handoffs sent and returned per transition",
        [(row["group"], (row["sent"], row["returned"])) for row in rows],
        ("sent", "returned"),
    )
    return (
        "<h2>Handoffs</h2>"
        + (figure(chart, "Returned handoffs per transition.") if rows else "")
        + table("Per transition", rows, columns)
    )


def _continuity(report: dict[str, Any]) -> str:
    c = report["continuity"]
    return (
        "<h2>Context continuity</h2>"
        + table(
            "Needs captured before the sale",
            [c["needs"]],
            [
                ("captured", "Captured"),
                ("addressed", "Addressed"),
                ("delivered", "Delivered"),
                ("share_carried", "Carried through share"),
            ],
        )
        + table(
            "Promises by the stage that made them",
            c["promises"],
            [
                ("stage", "Stage"),
                ("made", "Made"),
                ("kept", "Kept"),
                ("broken", "Broken"),
                ("overdue", "Overdue"),
                ("kept_rate", "Kept rate"),
            ],
        )
        + table(
            "Repeated discovery",
            c["repeated_discovery"]["by_stage"],
            [
                ("stage", "Stage"),
                ("discoveries", "Discoveries"),
                ("handoffs", "Handoffs"),
                ("rate_per_handoff", "Per handoff rate"),
            ],
        )
        + table(
            f"Silences (gaps over {c['silences']['gap_days']} days)",
            [c["silences"]],
            [
                ("gaps", "Gaps"),
                ("silences", "Silences"),
                ("journeys_with_silence", "Journeys with a silence"),
                ("silent_now", "Open journeys silent now"),
            ],
        )
    )


def _after_sale(report: dict[str, Any]) -> str:
    sale = report["post_sale"]
    cohorts = sale["retention_by_cohort"]
    chart = charts.bars(
        "Won customers per cohort: share retained and share active",
        [(row["cohort"], (row["retention_rate"], row["active_rate"])) for row in cohorts[-12:]],
        ("retained", "active"),
        percent=True,
    )
    return (
        "<h2>After the sale</h2>"
        + table(
            "Activation and first value",
            [sale],
            [
                ("won", "Won"),
                ("activated", "Activated"),
                ("activation_rate", "Activation rate"),
                ("median_days_to_first_value", "Median days to first value"),
                ("revenue", "Revenue"),
            ],
        )
        + figure(chart, "Retention by cohort of winning (the last 12).")
        + table(
            "Revenue retention",
            [sale["revenue_retention"]],
            [
                ("base_customers", "Base customers"),
                ("previous_revenue", "Previous"),
                ("current_revenue", "Current"),
                ("grr", "GRR"),
                ("nrr", "NRR"),
                ("expansion_revenue", "Expansion"),
            ],
        )
    )


def _risk_backtest(report: dict[str, Any]) -> str:
    found = report["risk_backtest"]
    parts = [
        "<h2>First-value risk back-test</h2>",
        f"<p>{escape(found['question'])}</p>",
        f"<p>{escape(found['text'])}</p>",
    ]
    if found["available"]:
        rows = [
            ("random", 0.5, found["base_rate"]),
            ("rule (undeclared profile fields)", *found["rule"].values()),
            ("logistic regression", *found["model"].values()),
        ]
        parts.append(
            table(
                f"Test set: {found['test']} deals won from {found['test_from']}",
                [
                    {"ranking": name, "auc": f"{auc:.3f}", "precision": f"{precision:.1%}"}
                    for name, auc, precision in rows
                ],
                [("ranking", "Ranking"), ("auc", "AUC"), ("precision", "Precision, top decile")],
            )
        )
    return "".join(parts)


def _scorecards(report: dict[str, Any]) -> str:
    cards = report["scorecards"]["members"]
    parts = ["<h2>Whole-journey scorecards</h2>"]
    for gap in report["scorecards"]["gaps"]:
        family = [c for c in cards if c["family"] == gap["family"]]
        if not family:
            continue
        points = [
            (c["name"], float(c["local"]), c["outcome"]) for c in family if c["outcome"] is not None
        ]
        parts.append(
            figure(
                charts.scatter(
                    f"{gap['family']}: {gap['local_label']} against {gap['outcome_label']}",
                    points,
                    gap["local_label"],
                    gap["outcome_label"],
                ),
                f"Each dot is a member; Spearman {_cell(gap['spearman'])}.",
            )
        )
        parts.append(
            table(
                f"{gap['family']} members",
                family,
                [
                    ("name", "Member"),
                    ("journeys", "Journeys"),
                    ("local", gap["local_label"]),
                    ("outcome", gap["outcome_label"]),
                    ("handoffs_returned", "Handoffs returned"),
                    ("promises_kept_rate", "Promises kept rate"),
                    ("first_year_retention", "First-year retention"),
                    ("value", "Value"),
                ],
            )
        )
    return "".join(parts)


def render_html(report: dict[str, Any]) -> str:
    period = report["period"]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>onethread: the compartmentalisation report</title>"
        f"<style>{STYLE}</style></head><body><main>"
        "<h1>The compartmentalisation report</h1>"
        f"<p>{report['journeys']:,} journeys in the database; journeys opened from "
        f"{escape(period['start'][:10])} to {escape(period['end'][:10])}; figures as of "
        f"{escape(report['generated_at'][:19])} UTC.</p>"
        + _findings(report)
        + _funnel(report)
        + _selling(report)
        + _handoffs(report)
        + _continuity(report)
        + _after_sale(report)
        + _risk_backtest(report)
        + _scorecards(report)
        + "</main></body></html>"
    )
