"""The report as terminal tables (rich), written to a text stream."""

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

WIDTH = 120


PERCENT = ("rate", "share", "grr", "nrr", "completeness")


def _cell(value: Any, percent: bool) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.0%}" if percent else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for index, (_, heading) in enumerate(columns):
        table.add_column(heading, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*(_cell(row.get(key), key.endswith(PERCENT)) for key, _ in columns))
    return table


def render_text(report: dict[str, Any]) -> str:
    out = io.StringIO()
    console = Console(file=out, width=WIDTH, highlight=False, soft_wrap=False)
    found = report["findings"]
    console.print(
        f"[bold]The compartmentalisation report[/bold] — {report['journeys']:,} journeys; "
        f"opened {report['period']['start'][:10]} to {report['period']['end'][:10]}"
    )
    console.print(
        f"\n[bold]Change first[/bold] ({found['change_first']['area']}): "
        f"{found['change_first']['text']}"
    )
    for heading, items in (
        ("The biggest leaks", found["leaks"]),
        ("Context lost at each handoff", found["handoffs"]),
        ("Stage-local numbers vs journey outcomes", found["gaps"]),
    ):
        console.print(f"\n[bold]{heading}[/bold]")
        for item in items or [{"text": "Nothing to report."}]:
            console.print(f"- {item['text']}")
    console.print()
    console.print(
        _table(
            "Bow tie",
            report["funnel"],
            [
                ("name", "Stage"),
                ("entered", "Entered"),
                ("advanced", "Advanced"),
                ("conversion_rate", "Conversion rate"),
                ("median_days_in_stage", "Median days"),
                ("p90_days_in_stage", "p90 days"),
                ("excluded_without_time", "No time"),
            ],
        )
    )
    console.print(
        _table(
            "Lead to won",
            [report["lead_to_won"]],
            [
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion rate"),
                ("median_days", "Median days"),
            ],
        )
    )
    console.print(
        _table(
            "By source",
            report["by_source"],
            [
                ("source", "Source"),
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion rate"),
                ("median_days", "Median days"),
            ],
        )
    )
    console.print(
        _table(
            "Handoffs per transition",
            report["handoffs"]["by_transition"],
            [
                ("group", "Transition"),
                ("sent", "Sent"),
                ("returned", "Returned"),
                ("acceptance_rate", "Acceptance rate"),
                ("average_completeness", "Completeness"),
                ("overdue", "Overdue"),
            ],
        )
    )
    sale = report["post_sale"]
    console.print(
        _table(
            "After the sale",
            [sale | sale["revenue_retention"]],
            [
                ("won", "Won"),
                ("activated", "Activated"),
                ("activation_rate", "Activation rate"),
                ("median_days_to_first_value", "Median days to value"),
                ("revenue", "Revenue"),
                ("grr", "GRR"),
                ("nrr", "NRR"),
            ],
        )
    )
    console.print(f"\n[bold]First-value risk back-test[/bold]\n{report['risk_backtest']['text']}\n")
    console.print(
        _table(
            "Scorecards",
            report["scorecards"]["members"],
            [
                ("name", "Member"),
                ("role", "Role"),
                ("local_label", "Local number"),
                ("local", "Local"),
                ("outcome_label", "Journey outcome"),
                ("outcome", "Outcome"),
            ],
        )
    )
    return out.getvalue()
