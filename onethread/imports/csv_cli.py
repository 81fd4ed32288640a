"""The `csv` part of `onethread import`: its arguments, and turning them into
the files and mappings to import (the command itself stays thin)."""

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.progress import ProgressColumn, Task
from rich.text import Text

from onethread.imports.csv_import import Source, file_source
from onethread.imports.mapping import MappingError, load_mapping, packaged_mappings

HELP = (
    "Files described by mapping files (CSV of any dialect and encoding, or Parquet). "
    "Give one --mapping for every file, or one per file in the same order."
)


def add_csv_parser(sources: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sources.add_parser("csv", help=HELP, description=HELP)
    parser.add_argument(
        "--mapping",
        action="append",
        required=True,
        metavar="MAPPING",
        help="A mapping file (.toml), or a packaged mapping by name: "
        + ", ".join(packaged_mappings()),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    return parser


def csv_sources(options: dict[str, Any]) -> list[Source]:
    """The files paired with their mappings; CommandError on a bad mapping or pairing."""
    names: list[str] = options["mapping"]
    files: list[Path] = options["files"]
    if len(names) not in (1, len(files)):
        raise CommandError(
            f"{len(names)} mappings for {len(files)} files: give one mapping for every file,"
            " or one per file in the same order."
        )
    for path in files:
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
    mappings = {}
    for name in dict.fromkeys(names):
        try:
            mappings[name] = load_mapping(name)
        except MappingError as error:
            raise CommandError(str(error)) from error
    paired = names if len(names) == len(files) else names * len(files)
    return [file_source(mappings[name], path) for name, path in zip(paired, files, strict=True)]


class RateColumn(ProgressColumn):
    """Rows per second, for long imports."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")
