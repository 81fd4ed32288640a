"""`onethread report`: the compartmentalisation diagnosis of what is in the
database, as terminal tables, JSON, or one self-contained HTML page."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onethread.insights import adapter, services
from onethread.insights.frames import Period
from onethread.insights.report import build_report
from onethread.insights.report_html import render_html
from onethread.insights.report_text import render_text
from onethread.signals.backtest_report import risk_backtest_section

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EMPTY = (
    "There are no journeys in the database yet: import some (onethread import --help) "
    "or create the demo company (onethread demo), then run the report again."
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "The compartmentalisation report: where the journey leaks, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json", "html"], default="text")
        parser.add_argument("--output", type=Path, help="Write to this file (needed for html).")
        parser.add_argument("--from", dest="start", help="First day of journeys opened (UTC).")
        parser.add_argument("--to", dest="end", help="Last day of journeys opened (UTC).")
        parser.add_argument(
            "--no-refresh", action="store_true", help="Read the aggregates as they are."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        output = Path(options["output"]) if options["output"] else None
        if fmt == "html" and output is None:
            raise CommandError("--format html needs --output FILE.")
        now = timezone.now()
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        if start and end and end < start:
            raise CommandError("--to must not be before --from.")
        period = Period(
            dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) if start else EARLIEST,
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            if end
            else now + dt.timedelta(seconds=1),
        )
        if not options["no_refresh"]:
            services.refresh_insights()
        frames = adapter.read_frames()
        if start is None and frames.journeys.num_rows:
            # All journeys: say from when, rather than from 1970.
            first = pc.min(frames.journeys["opened_at"]).as_py()
            period = Period(min(first, period.end), period.end)
        if frames.journeys.num_rows == 0 and fmt == "text":
            self.stdout.write(EMPTY)
            return
        # Over every won journey, whatever the period: the back-test needs a time split.
        backtest = risk_backtest_section(now=now)
        report = build_report(
            frames, period, now, risk_backtest=backtest, explicit_end=end is not None
        )
        if fmt == "json":
            text = json.dumps(report, indent=2, default=str)
        elif fmt == "html":
            text = render_html(report)
        else:
            text = render_text(report)
        if output is None:
            self.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Report written to {output}.")
