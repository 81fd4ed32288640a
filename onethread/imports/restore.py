"""`onethread import export DIR`: restore an export made by `onethread
export` into an empty database, with every primary key as it was.

First the manifest is checked (format, tables and columns this version knows,
each file's SHA-256), then, in one transaction: the database must be empty
(the configuration `onethread migrate` installs — stages, transitions, their
contract items, return reasons — is replaced by the export's), every table is
inserted in dependency order and its row count checked against the manifest,
and the id sequences are set past the restored ids. Any problem rolls the
whole restore back.

Users come back without passwords (set one with `onethread changepassword`),
webhooks with new secrets, and there are no API tokens (see export_tables)."""

import csv
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin

from onethread.imports.bulk import BulkTable, no_cycle_collection
from onethread.imports.export import MANIFEST, sha256
from onethread.imports.export_tables import (
    CONFIGURATION_TABLES,
    FORMAT,
    FORMAT_VERSION,
    BadValue,
    Column,
    ExportTable,
    export_tables,
    from_text,
    stored_json,
    stored_time,
)
from onethread.journeys import counts

Progress = Callable[[str, int, int], None]
SOURCES = ("csv", "parquet")
PROGRESS_EVERY = 10_000

# What a restore puts in the columns an export leaves out.
FILLERS: dict[str, dict[str, Callable[[], Any]]] = {
    "auth.User": {"password": lambda: make_password(None)},  # unusable: set a new one
    "webhooks.Webhook": {"secret": lambda: _new_webhook_secret()},
}


def _new_webhook_secret() -> str:
    from onethread.webhooks.models import generate_secret

    return generate_secret()


class RestoreError(ValueError):
    """The export cannot be restored here; nothing was written."""


@dataclass
class Planned:
    table: ExportTable
    entry: dict[str, Any]
    columns: list[Column]  # the file's columns, in the file's order
    filled: dict[str, Callable[[], Any]]  # model columns the file lacks → their value


@dataclass
class RestoreSummary:
    tables: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(rows for _, rows in self.tables)


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise RestoreError(f"{directory} holds no {MANIFEST}: it is not an onethread export.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RestoreError(f"{MANIFEST} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreError(f"{MANIFEST} does not describe an onethread export.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreError(
            f"This export has format version {manifest.get('format_version')!r}; "
            f"this version of onethread restores version {FORMAT_VERSION}."
        )
    if not isinstance(manifest.get("tables"), list):
        raise RestoreError(f"{MANIFEST} lists no tables.")
    return manifest


def _plan_table(table: ExportTable, entry: dict[str, Any]) -> Planned:
    try:
        described = {item["name"]: item for item in entry["columns"]}
        names = [item["name"] for item in entry["columns"]]
        int(entry["rows"])
    except (KeyError, TypeError, ValueError) as error:
        raise RestoreError(f"{MANIFEST}: table {table.name} is not fully described.") from error
    current = {column.name: column for column in table.columns}
    unknown = [name for name in names if name not in current]
    if unknown:
        raise RestoreError(
            f"{table.name}: the export has column(s) {', '.join(unknown)} "
            "that this version of onethread does not know."
        )
    for name in names:
        if described[name].get("type") != current[name].type:
            raise RestoreError(
                f"{table.name}.{name} was {described[name].get('type')} in the export "
                f"and is {current[name].type} here."
            )
    return Planned(table, entry, [current[name] for name in names], _fillers(table, set(names)))


def _fillers(table: ExportTable, present: set[str]) -> dict[str, Callable[[], Any]]:
    """Values for the model's columns the file does not hold: what
    FILLERS says, else the field's default, else NULL; refused otherwise."""
    special = FILLERS.get(table.label, {})
    filled: dict[str, Callable[[], Any]] = {}
    for model_field in table.model._meta.concrete_fields:
        name = model_field.attname
        if name in present:
            continue
        if model_field.name in special:
            filled[name] = special[model_field.name]
        elif model_field.has_default():
            filled[name] = model_field.get_default
        elif model_field.null:
            filled[name] = lambda: None
        else:
            raise RestoreError(
                f"{table.name}: the export lacks column {name}, which needs a value."
            )
    return filled


def plan_restore(manifest: dict[str, Any]) -> tuple[list[Planned], list[str]]:
    """The tables to restore in dependency order, and notes on tables the
    export does not hold (left empty)."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in manifest["tables"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise RestoreError(f"{MANIFEST}: a table entry has no name.")
        entries[entry["name"]] = entry
    tables = export_tables()
    known = {table.name for table in tables}
    unknown = sorted(set(entries) - known)
    if unknown:
        raise RestoreError(
            "The export holds table(s) this version of onethread does not know: "
            f"{', '.join(unknown)}."
        )
    planned = [_plan_table(table, entries[table.name]) for table in tables if table.name in entries]
    notes = [
        f"{table.name} is not in the export: left empty."
        for table in tables
        if table.name not in entries
    ]
    return planned, notes


def _file(directory: Path, planned: Planned, source: str) -> Path:
    expected = f"{planned.table.name}.{source}"
    described = planned.entry.get("files", {}).get(source)
    if not isinstance(described, dict) or described.get("name") != expected:
        raise RestoreError(
            f"{MANIFEST} names no {source} file {expected} for {planned.table.name}."
        )
    path = directory / expected
    if not path.is_file():
        raise RestoreError(f"{expected} is missing from {directory}.")
    return path


def check_files(directory: Path, planned: list[Planned], source: str) -> None:
    """Every file is there and is the file the manifest describes (a Parquet
    file also says how many rows it holds; a CSV file's rows are counted as
    they are restored, and a difference rolls the whole restore back)."""
    for item in planned:
        path = _file(directory, item, source)
        if sha256(path) != item.entry["files"][source].get("sha256"):
            raise RestoreError(
                f"{path.name} does not match its checksum in {MANIFEST}: "
                "the file was changed or damaged since the export."
            )
        if source == "parquet":
            _check_parquet_rows(path, int(item.entry["rows"]))


def _check_parquet_rows(path: Path, expected: int) -> None:
    import pyarrow.parquet as pq

    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise RestoreError(f"{path.name} is not a readable Parquet file: {error}") from error
    if rows != expected:
        raise RestoreError(f"{path.name} holds {rows:,} rows; the manifest says {expected:,}.")


# Times and JSON go to the database as text, as exported: turning them into
# Python objects only for the driver to turn them back costs most of the time.
AS_STORED_TEXT = {"datetime", "json"}
Read = Callable[[str], Any]


def _stored(column: Column, text: str | None, vendor: str) -> Any:
    if text is None or (text == "" and column.nullable):
        return None
    if column.type == "datetime":
        return stored_time(text, vendor)
    return stored_json("null" if text == "" else text)


def _readers(columns: list[Column]) -> list[Read]:
    vendor = connection.vendor
    return [
        partial(_stored, column, vendor=vendor)
        if column.type in AS_STORED_TEXT
        else partial(from_text, column)
        for column in columns
    ]


def _csv_values(path: Path, planned: Planned) -> Iterator[list[Any]]:
    columns = planned.columns
    readers = _readers(columns)
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != [column.name for column in columns]:
            raise RestoreError(f"{path.name}: the header does not list the manifest's columns.")
        for record in reader:
            if len(record) != len(columns):
                raise RestoreError(
                    f"{path.name}: line {reader.line_num} has {len(record)} values, "
                    f"not {len(columns)}."
                )
            try:
                yield [read(text) for read, text in zip(readers, record, strict=True)]
            except BadValue as error:
                raise RestoreError(f"{path.name}: line {reader.line_num}: {error}") from error


def _parquet_values(path: Path, planned: Planned) -> Iterator[list[Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = planned.columns
    parquet = pq.ParquetFile(path)
    if parquet.schema_arrow.names != [column.name for column in columns]:
        raise RestoreError(f"{path.name}: its columns are not the manifest's columns.")
    vendor = connection.vendor
    for batch in parquet.iter_batches(batch_size=50_000):
        values = []
        for index, column in enumerate(columns):
            if column.type in AS_STORED_TEXT:
                texts = batch.column(index).cast(pa.string()).to_pylist()
                try:
                    values.append([_stored(column, text, vendor) for text in texts])
                except BadValue as error:
                    raise RestoreError(f"{path.name}: {column.name}: {error}") from error
            else:
                values.append(batch.column(index).to_pylist())
        for record in zip(*values, strict=True):
            yield list(record)


def _insert(directory: Path, planned: Planned, source: str, progress: Progress | None) -> int:
    path = _file(directory, planned, source)
    names = [column.name for column in planned.columns]
    fillers = list(planned.filled.values())
    expected = int(planned.entry["rows"])
    read = _csv_values if source == "csv" else _parquet_values

    def rows() -> Iterator[list[Any]]:
        for done, values in enumerate(read(path, planned), start=1):
            if progress and done % PROGRESS_EVERY == 0:
                progress(planned.table.name, done, expected)
            yield values + [fill() for fill in fillers]

    table = BulkTable(planned.table.model, names + list(planned.filled))
    as_text = {i for i, column in enumerate(planned.columns) if column.type in AS_STORED_TEXT}
    table.converters = [(i, convert) for i, convert in table.converters if i not in as_text]
    count = table.insert(rows())
    if count != expected:
        raise RestoreError(f"{path.name} holds {count:,} rows; the manifest says {expected:,}.")
    if progress:
        progress(planned.table.name, count, max(expected, count))
    return count


def why_not_empty() -> str:
    """What the database already holds ('' when it counts as empty)."""
    found = []
    for table in export_tables():
        if table.label in CONFIGURATION_TABLES:
            continue
        manager = table.model._base_manager
        if manager.exists():
            found.append(f"{manager.count():,} row(s) in {table.name}")
    return "; ".join(found)


def _clear_configuration(tables: list[ExportTable]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in reversed(tables):
            if table.label in CONFIGURATION_TABLES:
                cursor.execute(f"DELETE FROM {quote(table.name)}")


def _reset_sequences(tables: list[ExportTable]) -> None:
    """New rows take ids after the restored ones."""
    model_list: list[type[models.Model]] = [table.model for table in tables]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables:
                pk = table.model._meta.pk
                if not isinstance(pk, AutoFieldMixin):
                    continue
                cursor.execute(f"SELECT MAX({quote(pk.column)}) FROM {quote(table.name)}")
                highest = cursor.fetchone()[0] or 0
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table.name])
                if highest:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table.name, highest],
                    )
            return
        for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(statement)


def restore_database(
    directory: Path, *, source: str = "csv", progress: Progress | None = None
) -> RestoreSummary:
    """Restore the export in `directory` from its CSV (or Parquet) files."""
    started = time.perf_counter()
    if source not in SOURCES:
        raise RestoreError(f"Restore from one of {', '.join(SOURCES)}, not {source!r}.")
    manifest = read_manifest(directory)
    planned, notes = plan_restore(manifest)
    check_files(directory, planned, source)
    summary = RestoreSummary(notes=notes)
    with no_cycle_collection(), transaction.atomic():
        occupied = why_not_empty()
        if occupied:
            raise RestoreError(
                f"The database is not empty ({occupied}). Restore into a new database: "
                "point DATABASE_URL at an empty one and run `onethread migrate` first."
            )
        tables = export_tables()
        _clear_configuration(tables)
        for item in planned:
            summary.tables.append((item.table.name, _insert(directory, item, source, progress)))
        _reset_sequences(tables)
        counts.recount()
    _forget_cached_configuration()
    summary.notes += _afterword(summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _forget_cached_configuration() -> None:
    from onethread.webhooks import subscriptions

    subscriptions.forget()


def _afterword(summary: RestoreSummary) -> list[str]:
    restored = dict(summary.tables)
    notes = []
    if restored.get("auth_user"):
        notes.append(
            "Users were restored without passwords: give each a new one with "
            "`onethread changepassword USERNAME`."
        )
    if restored.get("webhooks_webhook"):
        notes.append("Webhooks were restored with new secrets: give each receiver its new secret.")
    return notes
