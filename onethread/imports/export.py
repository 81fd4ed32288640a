"""`onethread export DIR`: every table of the domain as CSV and as Parquet,
with a manifest.json (format version, onethread version, export time, and per
table its files, row count, columns and types, and each file's SHA-256).

Deterministic: rows in primary key order, columns in model order, values
written one way (ISO 8601 UTC times, JSON with sorted keys), so two exports of
the same data are identical files apart from the manifest's `exported_at`.
Streamed: rows are read in chunks and written as they come, so memory stays
flat however large the tables. Read from one snapshot of the database, so
the files agree with each other even while the application keeps writing."""

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from onethread.imports.export_tables import (
    EXCLUDED_COLUMNS,
    EXCLUDED_MODELS,
    FORMAT,
    FORMAT_VERSION,
    Column,
    ExportTable,
    export_tables,
    json_text,
    to_text,
    utc_text,
)

Progress = Callable[[str, int, int], None]
MANIFEST = "manifest.json"
READ_CHUNK = 2_000
PARQUET_BATCH = 50_000
PROGRESS_EVERY = 10_000


class ExportError(ValueError):
    """The export cannot be written where it was asked to go."""


def onethread_version() -> str:
    try:
        return metadata.version("onethread")
    except metadata.PackageNotFoundError:
        return "unknown"


def arrow_type(column: Column) -> pa.DataType:
    kind = column.type
    if kind.startswith("decimal("):
        precision, scale = kind[len("decimal(") : -1].split(",")
        return pa.decimal128(int(precision), int(scale))
    return {
        "integer": pa.int64(),
        "text": pa.string(),
        "boolean": pa.bool_(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "float": pa.float64(),
        "json": pa.string(),  # the same JSON text as in the CSV file
    }[kind]


def arrow_schema(table: ExportTable) -> pa.Schema:
    return pa.schema(
        [
            pa.field(column.name, arrow_type(column), nullable=column.nullable)
            for column in table.columns
        ]
    )


@contextmanager
def snapshot() -> Iterator[None]:
    """Read every table from one consistent state of the database, without
    holding up the application's writers."""
    if connection.in_atomic_block:
        yield  # already inside a transaction (a test): it is the snapshot
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode it sees one state of the
        # file while writers go on (Django's own BEGIN IMMEDIATE would lock them out).
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    yield


# Times and JSON are read as the text the database holds and written from it:
# parsing them into Python objects only to write them back costs most of the time.
AS_STORED_TEXT = {"datetime", "json"}
Cell = Callable[[Any], Any]


def _records(table: ExportTable) -> Iterator[tuple[Any, ...]]:
    fields = [
        Cast(column.name, output_field=TextField())
        if column.type in AS_STORED_TEXT
        else column.name
        for column in table.columns
    ]
    rows = table.model._base_manager.order_by("pk").values_list(*fields)
    return rows.iterator(chunk_size=READ_CHUNK)


def _cell(column: Column) -> Cell | None:
    """How a value read from the database becomes its CSV cell (None: the
    csv module writes it as it is, an empty cell for NULL)."""
    if column.type == "integer" or (column.type == "text" and not column.nullable):
        return None
    if column.type == "datetime":
        return lambda stored: "" if stored is None else utc_text(stored)
    if column.type == "json":
        null = "" if column.nullable else "null"
        return lambda stored: null if stored is None else json_text(stored)
    return lambda value: to_text(column, value)


def _arrow_batch(
    table: ExportTable, schema: pa.Schema, values: list[tuple[Any, ...]], cells: list[list[Any]]
) -> pa.Table:
    """Parquet columns: times and JSON from their CSV text, the rest as read."""
    arrays = []
    for index, (column, field) in enumerate(zip(table.columns, schema, strict=True)):
        if column.type in AS_STORED_TEXT:
            texts = [
                None if row[index] is None else cell[index]
                for row, cell in zip(values, cells, strict=True)
            ]
            arrays.append(pa.array(texts, type=pa.string()).cast(field.type))
        else:
            arrays.append(pa.array([row[index] for row in values], type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _write_table(table: ExportTable, directory: Path, progress: Progress | None) -> int:
    total = table.model._base_manager.count() if progress else 0
    schema = arrow_schema(table)
    cells = [(index, cell) for index, column in enumerate(table.columns) if (cell := _cell(column))]
    rows = 0
    with (
        (directory / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as handle,
        pq.ParquetWriter(directory / f"{table.name}.parquet", schema) as parquet,
    ):
        writer = csv.writer(handle)
        writer.writerow(table.column_names)
        values: list[tuple[Any, ...]] = []
        written: list[list[Any]] = []
        for record in _records(table):
            line = list(record)
            for index, cell in cells:
                line[index] = cell(line[index])
            writer.writerow(line)
            values.append(record)
            written.append(line)
            rows += 1
            if len(values) >= PARQUET_BATCH:
                parquet.write_table(_arrow_batch(table, schema, values, written))
                values, written = [], []
            if progress and rows % PROGRESS_EVERY == 0:
                progress(table.name, rows, total)
        if values:
            parquet.write_table(_arrow_batch(table, schema, values, written))
    if progress:
        progress(table.name, rows, max(total, rows))
    return rows


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict[str, Any]:
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256(path)}


def _check_directory(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is a file, not a folder.")
    if directory.exists() and any(directory.iterdir()):
        raise ExportError(f"{directory} is not empty: export into a new or empty folder.")


def export_database(
    directory: Path, *, now: dt.datetime | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Write the export into `directory` (new or empty); return its manifest."""
    _check_directory(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = export_tables()
    entries = []
    with snapshot():
        for table in tables:
            rows = _write_table(table, directory, progress)
            entries.append(
                {
                    "name": table.name,
                    "model": table.label,
                    "rows": rows,
                    "columns": [column.describe() for column in table.columns],
                    "files": {
                        "csv": _file_entry(directory / f"{table.name}.csv"),
                        "parquet": _file_entry(directory / f"{table.name}.parquet"),
                    },
                }
            )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "onethread_version": onethread_version(),
        "exported_at": (now or timezone.now())
        .astimezone(dt.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "left_out": {
            "tables": dict(sorted(EXCLUDED_MODELS.items())),
            "columns": {
                label: dict(sorted(columns.items()))
                for label, columns in sorted(EXCLUDED_COLUMNS.items())
            },
        },
        "tables": entries,
    }
    # Written last: a folder with a manifest holds a complete export.
    (directory / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest
