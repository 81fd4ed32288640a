"""`onethread import olist DIR` (more sources: `onethread import --help`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from onethread.imports.csv_cli import RateColumn, add_csv_parser, csv_sources
from onethread.imports.csv_import import import_csv
from onethread.imports.olist import import_olist
from onethread.imports.report import ImportReport
from onethread.imports.restore_cli import restore_from_command


class Command(BaseCommand):
    help = "Bring journeys in from another system's data."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        olist = sources.add_parser(
            "olist", help="The public Olist marketing funnel and its sellers."
        )
        olist.add_argument("directory", type=Path)
        restore = sources.add_parser(
            "export", help="An export of onethread (`onethread export`), into an empty database."
        )
        restore.add_argument("directory", type=Path)
        restore.add_argument(
            "--from", dest="file_format", choices=["csv", "parquet"], default="csv",
            help="Which of the export's files to restore from (default: csv).",
        )  # fmt: skip
        csv = add_csv_parser(sources)
        for sub in (olist, csv):
            sub.add_argument(
                "--skip-invalid",
                action="store_true",
                help="Commit the valid rows; still report the refused ones.",
            )
            sub.add_argument(
                "--report", type=Path, help="Where to write the report of refused rows."
            )

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        if source == "export":
            restore_from_command(self, options["directory"], options["file_format"])
            return
        if source == "olist":
            directory: Path = options["directory"]
            if not directory.is_dir():
                raise CommandError(f"{directory} is not a folder.")
            report = self._with_progress(
                lambda progress: import_olist(
                    directory,
                    skip_invalid=options["skip_invalid"],
                    now=timezone.now(),
                    progress=progress,
                )
            )
        if source == "csv":
            files = csv_sources(options)
            report = self._with_progress(
                lambda progress: import_csv(
                    files,
                    skip_invalid=options["skip_invalid"],
                    now=timezone.now(),
                    progress=progress,
                )
            )
        self._finish(report, options.get("report"))

    def _with_progress(self, run: Any) -> ImportReport:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, disable=not self.stdout.isatty(), transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done)

            return run(progress)

    def _finish(self, report: ImportReport, report_path: Path | None) -> None:
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.errors:
            path = report.write_csv(
                report_path or Path("var") / "import-reports" / f"{report.source}-refused.csv"
            )
            self.stdout.write(f"The refused rows are listed in {path}.")
        if not report.committed:
            raise CommandError("Nothing was imported.")
