"""Reading tables from files whose shape we are not told: CSV of any common
dialect and encoding (detected, not assumed) or Parquet. Rows stream: memory
stays flat however long the file."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
CHUNK_BYTES = 1 << 20

csv.field_size_limit(10 * 1024 * 1024)


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (reported as one error)."""


class Row(NamedTuple):
    """One record (a named tuple: files run to millions of rows)."""

    line: int  # the file's line where the row starts (the header is line 1)
    values: dict[str, str | None]


@dataclass
class Table:
    path: Path
    columns: list[str]
    encoding: str
    dialect: str
    rows: Iterator[Row] = field(repr=False)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
MIXED = "utf-8 (mixed)"


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the file starts with a BOM; utf-8 when every byte
    decodes as such; latin-1 when it does not and holds no UTF-8 sequence at
    all; MIXED when it holds both (its undecodable lines are then rejected)."""
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            while chunk := handle.read(CHUNK_BYTES):
                if _UTF8_MULTIBYTE.search(chunk):
                    return MIXED
            return "latin-1"
    return "utf-8"


def _open_text(path: Path, encoding: str) -> IO[str]:
    if encoding == MIXED:
        return path.open("r", encoding="utf-8", errors="surrogateescape", newline="")
    return path.open("r", encoding=encoding, newline="")


_SURROGATES = re.compile("[\udc80-\udcff]")


def undecodable(value: str) -> bool:
    """Does the text hold bytes that were not valid UTF-8 (read from a MIXED file)?"""
    return _SURROGATES.search(value) is not None


def detect_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel


def _dialect_name(dialect: Any) -> str:
    delimiter = {"\t": "tab"}.get(dialect.delimiter, dialect.delimiter)
    return f"delimiter {delimiter!r}, quote {dialect.quotechar!r}"


def _csv_rows(handle: IO[str], reader: Any, columns: list[str]) -> Iterator[Row]:
    """Each record with the line it starts on; a short or long record keeps
    its values under the known columns and marks the rest."""
    width = len(columns)
    line = reader.line_num + 1
    try:
        for record in reader:
            if not record or (len(record) == 1 and record[0] == ""):
                line = reader.line_num + 1
                continue
            values: dict[str, str | None] = dict(zip(columns, record, strict=False))
            if len(record) < width:
                for column in columns[len(record) :]:
                    values[column] = None  # missing: a truncated line
            elif len(record) > width:
                values["\0extra"] = ",".join(record[width:])
            yield Row(line, values)
            line = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"line {line}: {error}") from error
    finally:
        handle.close()


def open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with _open_text(path, encoding) as probe:
        sample = probe.read(SAMPLE_BYTES)
    if not sample.strip():
        raise UnreadableFile("the file is empty")
    dialect = detect_dialect(sample)
    handle = _open_text(path, encoding)
    reader = csv.reader(handle, dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        handle.close()
        raise UnreadableFile(f"no header line: {error}") from error
    columns = [name.strip() for name in header]
    if len(set(columns)) != len(columns):
        handle.close()
        repeated = sorted({name for name in columns if columns.count(name) > 1})
        raise UnreadableFile(f"repeated column names in the header: {', '.join(repeated)}")
    return Table(
        path, columns, encoding, _dialect_name(dialect), _csv_rows(handle, reader, columns)
    )


def _as_text(column: Any) -> list[str | None]:
    """A Parquet column as text, converted in bulk (timestamps as ISO 8601)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_timestamp(column.type):
        text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S" + ("%z" if column.type.tz else ""))
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column
    else:
        text = pc.cast(column, pa.string())
    return text.to_pylist()


def _parquet_rows(path: Path, columns: list[str]) -> Iterator[Row]:
    import pyarrow.parquet as pq

    line = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
        values = [_as_text(batch.column(name)) for name in columns]
        for record in zip(*values, strict=True):
            line += 1
            yield Row(line, dict(zip(columns, record, strict=True)))


def open_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise UnreadableFile(f"not a Parquet file: {error}") from error
    columns = list(schema.names)
    return Table(path, columns, "parquet", "parquet", _parquet_rows(path, columns))


def open_table(path: Path) -> Table:
    """A table from a .csv (or .txt/.tsv) or .parquet file."""
    if not path.is_file():
        raise UnreadableFile("no such file")
    if path.suffix.lower() in {".parquet", ".pq"}:
        return open_parquet(path)
    return open_csv(path)


def read_text_table(text: str) -> Table:
    """A table from CSV text already in memory (an upload), same detection."""
    buffer = io.StringIO(text, newline="")
    dialect = detect_dialect(text[:SAMPLE_BYTES])
    reader = csv.reader(buffer, dialect)
    header = next(reader, None)
    if header is None:
        raise UnreadableFile("the file is empty")
    columns = [name.strip() for name in header]
    return Table(
        Path("upload.csv"),
        columns,
        "utf-8",
        _dialect_name(dialect),
        _csv_rows(buffer, reader, columns),
    )
