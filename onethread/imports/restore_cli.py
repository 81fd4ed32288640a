"""`onethread import export DIR`: the restore with a progress bar and its summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from onethread.imports.restore import RestoreError, restore_database


def restore_from_command(command: BaseCommand, directory: Path, source: str) -> None:
    if not directory.is_dir():
        raise CommandError(f"{directory} is not a folder.")
    columns = (
        TextColumn("{task.description:<36}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not command.stdout.isatty(), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done, total=total)

        try:
            summary = restore_database(directory, source=source, progress=progress)
        except RestoreError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
    command.stdout.write(
        f"Restored {summary.rows:,} rows in {len(summary.tables)} tables from the {source} "
        f"files of {directory} in {summary.seconds:.1f} s."
    )
    for note in summary.notes:
        command.stdout.write(note)
