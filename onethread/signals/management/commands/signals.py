"""`onethread signals detect|health|backtest`: run detection now (full or
incremental), record today's health scores, or back-test the "no first
value" risk on the Olist files (--olist) or on the database."""

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onethread.signals import backtest, backtest_records, health_records, runner


class Command(BaseCommand):
    help = "Run signal detection, record health scores, or back-test on Olist data."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["detect", "health", "backtest"])
        parser.add_argument(
            "--incremental", action="store_true", help="detect: only journeys with new events"
        )
        parser.add_argument(
            "--olist", type=Path, help="backtest: the Olist data folder (else the database)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "detect":
            runs = (
                runner.run_incremental(now=now)
                if options["incremental"]
                else runner.run_full(now=now)
            )
            for run in runs:
                line = f"{run.detector}: {run.get_status_display().lower()}, {run.raised} raised"
                self.stdout.write(line + (f" ({run.error.splitlines()[0]})" if run.error else ""))
            if not runs:
                self.stdout.write("Nothing new to look at.")
        elif options["action"] == "health":
            written = health_records.record_health(now=now)
            self.stdout.write(f"Health scores recorded for {written} journeys.")
        else:
            self._backtest(options["olist"], now)

    def _backtest(self, folder: Path | None, now: dt.datetime) -> None:
        if folder is None:
            sample = backtest_records.load_won_journeys(now=now)
        elif not (folder / "olist_closed_deals_dataset.csv").is_file():
            raise CommandError("--olist must name the Olist data folder (the closed deals CSV).")
        else:
            try:
                sample = backtest.load_olist(folder)
            except ValueError as error:
                raise CommandError(str(error)) from error
        reason = backtest.why_not(sample)
        if reason is not None:
            raise CommandError(f"No back-test: {reason}.")
        result = backtest.backtest(sample)
        self.stdout.write(
            f"{result.deals} won deals with {backtest.FIRST_VALUE_DAYS} days of data; "
            f"train {result.train}, test {result.test} (won from {result.test_from}); "
            f"{result.base_rate:.1%} of the test deals showed no value within "
            f"{backtest.FIRST_VALUE_DAYS} days."
        )
        self.stdout.write(
            f"Rule:  AUC {result.rule_auc:.3f}, precision at the top decile "
            f"{result.rule_precision:.1%}"
        )
        self.stdout.write(
            f"Model: AUC {result.model_auc:.3f}, precision at the top decile "
            f"{result.model_precision:.1%}"
        )
        self.stdout.write(f"Better ranking: the {result.best}.")
