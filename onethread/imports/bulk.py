"""Writing many rows fast, for imports: ids allocated in blocks, rows inserted
with executemany (SQLite) or COPY (PostgreSQL), values converted once per
column type. Call inside transaction.atomic(): the import is all or nothing.

This bypasses model save() on purpose. The import services that use it are
the ones that append the matching journey events, in the same transaction."""

import contextlib
import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

Converter = Callable[[Any], Any]
BATCH = 20_000


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        # What Django stores (naive UTC), without the costlier replace(tzinfo=None).
        return value.astimezone(dt.UTC).isoformat(sep=" ")[: -len("+00:00")]
    return value.isoformat(sep=" ")


def _remember_last(convert: Converter) -> Converter:
    """A column often repeats one value (the import's own time): convert it once."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


_JSON = DjangoJSONEncoder(separators=(",", ":"))  # one encoder: making one per value costs more


def _json(value: Any) -> str:
    return _JSON.encode(value)


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How a Python value becomes what the driver takes for this column
    (None: as it is)."""
    postgres = _is_postgres()
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        return None if postgres else _remember_last(_sqlite_datetime)
    if isinstance(field, models.DateField):
        return None if postgres else (lambda value: value.isoformat() if value else None)
    if isinstance(field, models.DecimalField):
        return None if postgres else (lambda value: str(value) if value is not None else None)
    if isinstance(field, models.BooleanField):
        return None if postgres else (lambda value: None if value is None else int(value))
    return None


def driver_value(field: models.Field[Any, Any]) -> Converter:
    """How BulkTable converts a value of this field for the database driver."""
    return _converter(field) or (lambda value: value)


class BulkTable:
    """Insert rows of one model, given as tuples in the order of `fields`
    (foreign keys by their `_id` attribute names)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        self.fields = list(fields)
        self.table = model._meta.db_table
        concrete = {field.attname: field for field in model._meta.concrete_fields}
        self.columns = [str(concrete[name].column) for name in self.fields]
        self.converters: list[tuple[int, Converter]] = [
            (i, convert)
            for i, name in enumerate(self.fields)
            if (convert := _converter(concrete[name])) is not None
        ]

    def _prepared(self, rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
        converters = self.converters
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            yield values

    def insert(self, rows: Iterable[Sequence[Any]], *, prepared: bool = False) -> int:
        """prepared: the rows already hold what the driver takes (converted
        with driver_value), e.g. a value several tables share, converted once."""
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        count = 0
        with connection.cursor() as cursor:
            if _is_postgres():
                sql = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for values in rows if prepared else self._prepared(rows):
                        copy.write_row(values)
                        count += 1
                return count
            marks = ", ".join("?" for _ in self.columns)
            sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"
            raw = cursor.cursor  # the sqlite3 cursor: Django's wrapper formats each row
            batch: list[Sequence[Any]] = []
            for values in rows if prepared else self._prepared(rows):
                batch.append(values)
                if len(batch) >= BATCH:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
        return count


def allocate_ids(model: type[models.Model], count: int) -> range:
    """Reserve `count` consecutive primary keys for rows inserted with BulkTable.

    SQLite: the transaction holds the write lock (IMMEDIATE), so the next ids
    after the highest ever used are ours. PostgreSQL: the sequence is advanced
    under a lock on the table, so concurrent inserts take ids after ours."""
    if count <= 0:
        return range(0)
    table = model._meta.db_table
    quote = connection.ops.quote_name
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}),"
                f" (SELECT last_value FROM {sequence}))"
            )
            start = int(cursor.fetchone()[0]) + 1
            cursor.execute("SELECT setval(%s, %s)", [sequence, start + count - 1])
            return range(start, start + count)
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
        highest = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        if found is not None:
            highest = max(highest, int(found[0]))
        start = highest + 1
        # Keep AUTOINCREMENT's memory in step, so later inserts never reuse ours.
        if found is None:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, start + count - 1],
            )
        else:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table]
            )
        return range(start, start + count)


class _Pause:
    """How many bulk writes are under way in this process, and whether the
    cyclic garbage collector was on before the first of them."""

    lock = threading.Lock()
    writers = 0
    was_enabled = False


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while bulk-writing, on again afterwards.

    An import makes millions of short-lived rows, tuples and dicts that
    reference counting frees; the collector still walks the ones alive at
    each of its thousands of passes (15 % of a million-row import's time),
    for no reference cycles to find. Counted, so that overlapping imports in
    one process (threads) leave it as it was only when the last one ends."""
    with _Pause.lock:
        if _Pause.writers == 0:
            _Pause.was_enabled = gc.isenabled()
            gc.disable()
        _Pause.writers += 1
    try:
        yield
    finally:
        with _Pause.lock:
            _Pause.writers -= 1
            if _Pause.writers == 0 and _Pause.was_enabled:
                gc.enable()
