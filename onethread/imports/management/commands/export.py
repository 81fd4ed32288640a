"""`onethread export DIR`: every table as CSV and Parquet with a manifest
(restore it with `onethread import export DIR`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from onethread.imports.export import ExportError, export_database


class Command(BaseCommand):
    help = "Write every table (including the journey event log) as CSV and Parquet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A new or empty folder.")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        columns = (
            TextColumn("{task.description:<36}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, disable=not self.stdout.isatty(), transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=total)
                bar.update(tasks[table], completed=done, total=total)

            try:
                manifest = export_database(directory, progress=progress)
            except ExportError as error:
                raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(
            f"Exported {len(manifest['tables'])} tables ({rows:,} rows) to {directory}, "
            "as CSV and Parquet, described in manifest.json."
        )
        self.stdout.write(
            f"Restore it into an empty database with: onethread import export {directory}"
        )
