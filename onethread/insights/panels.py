"""What each dashboard shows (the bow tie, funnel and time; the rest in
outcome_panels.py): from metric results (plain data) to panels, each
a table (the chart's data, downloadable as CSV) and, where it helps, an inline
SVG chart drawn from the same rows. Pure: no database, no clock."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from onethread.insights import charts

Column = tuple[str, str]  # (key in the row, heading)
PERCENT_SUFFIXES = ("_rate", "_share", "share_addressed", "share_delivered", "share_carried")
PERCENT_KEYS = {"grr", "nrr", "share_within_1h", "share_within_24h", "share"}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    chart: str = ""
    note: str = ""

    def cells(self) -> list[list[tuple[str, bool]]]:
        """Each row's cells as (text, aligned as a number) for the table: a
        missing value ("n/a") lines up with the numbers of its column."""
        numeric = {key: any(_numeric(row.get(key)) for row in self.rows) for key, _ in self.columns}
        return [
            [
                (self.format(row.get(key), key), _numeric(row.get(key)) or numeric[key])
                for key, _ in self.columns
            ]
            for row in self.rows
        ]

    def body(self) -> SafeString:
        """The table's body rows, each cell escaped: built here because a
        template loop over a scorecard's thousands of cells costs several
        times more than the figures behind them."""
        rows = (
            "".join(
                f'<td class="number">{escape(text)}</td>' if number else f"<td>{escape(text)}</td>"
                for text, number in cells
            )
            for cells in self.cells()
        )
        return mark_safe("".join(f"<tr>{row}</tr>" for row in rows))  # every text escaped above

    def format(self, value: Any, key: str) -> str:
        if value is None:
            return "n/a"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            if is_percent(key):
                return f"{value:.0%}"
            return f"{value:,.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_percent(key: str) -> bool:
    return key in PERCENT_KEYS or key.endswith(PERCENT_SUFFIXES)


def bars(title: str, rows: list[dict[str, Any]], label: str, keys: Sequence[Column]) -> str:
    if all(row.get(key) is None for row in rows for key, _ in keys):
        return ""  # nothing to draw: the table says n/a
    percent = all(is_percent(key) for key, _ in keys)
    unit = "days" if all(key.endswith("days") for key, _ in keys) else ""
    data = [(str(row.get(label) or "—"), [row.get(key) for key, _ in keys]) for row in rows]
    return charts.bars(title, data, [heading for _, heading in keys], percent=percent, unit=unit)


STAGE = ("name", "Stage")
SIDES = {
    "acquisition": "before the commit (acquisition)",
    "retention": "after the commit (retention)",
}


def bow_tie(results: dict[str, Any]) -> list[Panel]:
    funnel = results["funnel"]
    panels = []
    for side, words in SIDES.items():
        rows = [row for row in funnel if row["side"] == side]
        columns = [
            STAGE,
            ("entered", "Entered"),
            ("advanced", "Advanced"),
            ("conversion_rate", "Conversion"),
            ("median_days_in_stage", "Median days"),
            ("p90_days_in_stage", "p90 days"),
        ]
        chart = bars(
            f"Journeys entering and advancing per stage, {words}",
            rows,
            "name",
            [("entered", "entered"), ("advanced", "advanced")],
        )
        panels.append(Panel(side, f"Stages {words}", columns, rows, chart))
    lead = results["lead_to_won"]
    panels.append(
        Panel(
            "lead-to-won",
            "Lead to won",
            [
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion"),
                ("median_days", "Median days"),
                ("p90_days", "p90 days"),
            ],
            [lead],
        )
    )
    speed = results["speed_to_lead"]
    panels.append(
        Panel(
            "speed-to-lead",
            "Speed to lead",
            [
                ("leads", "Leads"),
                ("touched", "Touched"),
                ("never_touched", "Never touched"),
                ("median_days", "Median days to first touch"),
                ("share_within_1h", "Within 1 hour"),
                ("share_within_24h", "Within 24 hours"),
            ],
            [speed],
        )
    )
    sources = results["by_source"]
    panels.append(
        Panel(
            "by-source",
            "Lead to won by source",
            [
                ("source", "Source"),
                ("leads", "Leads"),
                ("won", "Won"),
                ("conversion_rate", "Conversion"),
                ("median_days", "Median days"),
            ],
            sources,
            bars(
                "Lead-to-won conversion by source",
                sources,
                "source",
                [("conversion_rate", "conversion")],
            ),
        )
    )
    return panels


def funnel(results: dict[str, Any]) -> list[Panel]:
    rows = results["funnel"]
    drops = [{"name": row["name"], **drop} for row in rows for drop in row["drop_off"]]
    return [
        Panel(
            "drop-off",
            "Funnel and drop-off per stage",
            [
                STAGE,
                ("side", "Side"),
                ("entered", "Entered"),
                ("advanced", "Advanced"),
                ("dropped", "Dropped"),
                ("conversion_rate", "Conversion"),
            ],
            rows,
            bars("Journeys dropping out at each stage", rows, "name", [("dropped", "dropped")]),
        ),
        Panel(
            "reasons",
            "Where they went, and why",
            [
                STAGE,
                ("outcome", "Outcome (open: still there)"),
                ("reason", "Reason"),
                ("journeys", "Journeys"),
            ],
            drops,
        ),
    ]


def time_in_stage(results: dict[str, Any]) -> list[Panel]:
    rows = results["funnel"]
    panels = [
        Panel(
            "time",
            "Time in stage",
            [
                STAGE,
                ("side", "Side"),
                ("median_days_in_stage", "Median days"),
                ("p90_days_in_stage", "p90 days"),
                ("excluded_without_time", "Stays without a time (left out)"),
            ],
            rows,
            bars(
                "Days spent in each stage, median and 90th percentile",
                rows,
                "name",
                [("median_days_in_stage", "median"), ("p90_days_in_stage", "p90")],
            ),
        )
    ]
    cohorts = [
        {
            "cohort": cohort,
            "name": row["name"],
            "entered": row["entered"],
            "median_days_in_stage": row["median_days_in_stage"],
            "p90_days_in_stage": row["p90_days_in_stage"],
        }
        for cohort, stages in sorted(results["funnel_by_cohort"].items())
        for row in stages
        if row["entered"]
    ]
    panels.append(
        Panel(
            "by-cohort",
            "Time in stage by cohort (month opened)",
            [
                ("cohort", "Cohort"),
                STAGE,
                ("entered", "Entered"),
                ("median_days_in_stage", "Median days"),
                ("p90_days_in_stage", "p90 days"),
            ],
            cohorts,
        )
    )
    return panels
