"""Which tables an export holds, their columns and types, and how each value
is written as text and read back: the one definition `export.py` and
`restore.py` share, so that export → restore → export gives the same files.

Every model of onethread's own apps is exported (with its many-to-many
tables), and the users they refer to, in an order where every table comes
after the tables it refers to. Left out on purpose: password hashes, API
tokens (credentials: issue new ones after a restore) and webhook secrets
(a restored webhook gets a new secret). Django's own tables (sessions, admin
log, permissions, content types) and the task queue are not data of the
domain and are not exported."""

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

FORMAT = "onethread-export"
FORMAT_VERSION = 1

# Models never exported, with why.
_DERIVED = "derived from the event log: `onethread insights refresh --full` rebuilds it"
EXCLUDED_MODELS = {
    "api.ApiToken": "API tokens are credentials: issue new ones after a restore",
    "journeys.StageCount": "the board's counts per stage: a restore counts them again",
    "journeys.ReferenceVersion": "a marker that reference data changed, set by the database",
    "insights.Checkpoint": _DERIVED,
    "insights.JourneyFact": _DERIVED,
    "insights.StageVisit": _DERIVED,
    "insights.MonthlyValue": _DERIVED,
    "signals.Checkpoint": (
        "where background detection stopped: the next run starts over, and a"
        " condition that already has a signal is never raised again"
    ),
    "signals.DetectorRun": "a log of background detection runs, not data of the customers",
}
# Columns never exported, with why; restore fills them as the note says.
EXCLUDED_COLUMNS = {
    "auth.User": {"password": "password hashes are never exported: set a new password"},
    "webhooks.Webhook": {"secret": "secrets are never exported: a restored webhook gets a new one"},
}
USER_COLUMNS = [
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
]
# Filled by `onethread migrate` (data migrations): a restore replaces them
# with the export's rather than counting them as data already there.
CONFIGURATION_TABLES = {
    "journeys.Stage",
    "handoffs.Transition",
    "handoffs.ContractItem",
    "handoffs.ReturnReason",
}

_TEXT_FIELDS = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER_FIELDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_SIMPLE_TYPES = {
    "BooleanField": "boolean",
    "DateTimeField": "datetime",
    "DateField": "date",
    "FloatField": "float",
    "JSONField": "json",
}


class UnsupportedColumn(TypeError):
    """A model field whose type the export does not know how to write."""


@dataclass(frozen=True)
class Column:
    name: str  # the model attribute (`journey_id` for a foreign key)
    type: str  # integer | text | boolean | datetime | date | float | json | decimal(p,s)
    nullable: bool

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "nullable": self.nullable}


@dataclass(frozen=True)
class ExportTable:
    name: str  # the database table: also the file name
    model: type[models.Model]
    columns: tuple[Column, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def column_type(field: models.Field[Any, Any]) -> str:
    if field.is_relation:
        target = field.target_field  # type: ignore[attr-defined]
        return column_type(target)
    internal = field.get_internal_type()
    if internal in _INTEGER_FIELDS:
        return "integer"
    if internal in _TEXT_FIELDS:
        return "text"
    if internal == "DecimalField":
        return f"decimal({field.max_digits},{field.decimal_places})"  # type: ignore[attr-defined]
    if internal in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[internal]
    raise UnsupportedColumn(
        f"{field.model._meta.label}.{field.name} is a {internal}: teach "
        "onethread/imports/export_tables.py to write it, or exclude it."
    )


def _columns(model: type[models.Model]) -> tuple[Column, ...]:
    label = model._meta.label
    excluded = EXCLUDED_COLUMNS.get(label, {})
    fields = [field for field in model._meta.concrete_fields if field.name not in excluded]
    if label == get_user_model()._meta.label:
        by_name = {field.attname: field for field in fields}
        fields = [by_name[name] for name in USER_COLUMNS]
    return tuple(Column(field.attname, column_type(field), field.null) for field in fields)


def _exported_models() -> list[type[models.Model]]:
    found: list[type[models.Model]] = [get_user_model()]
    for config in apps.get_app_configs():
        if config.name != "onethread" and not config.name.startswith("onethread."):
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.label not in EXCLUDED_MODELS and not model._meta.proxy:
                found.append(model)
    return found


def _in_dependency_order(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Each model after every model it refers to; ties by table name, so the
    order never depends on how the apps happen to be listed."""
    included = set(found)
    depends = {
        model: {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.related_model in included
            and field.related_model is not model
        }
        for model in found
    }
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    waiting = sorted(found, key=lambda model: model._meta.db_table)
    while waiting:
        ready = [model for model in waiting if depends[model] <= placed]
        if not ready:
            names = ", ".join(model._meta.label for model in waiting)
            raise RuntimeError(f"These models refer to each other in a cycle: {names}")
        ordered.extend(ready)
        placed.update(ready)
        waiting = [model for model in waiting if model not in placed]
    return ordered


def export_tables() -> list[ExportTable]:
    """Every exported table, each after the tables it refers to."""
    return [
        ExportTable(model._meta.db_table, model, _columns(model))
        for model in _in_dependency_order(_exported_models())
    ]


# Values as text (CSV) -------------------------------------------------------

_ESCAPED_NULL = re.compile(r"\\+N")
NULL_TEXT = "\\N"


# One encoder: building one per call (json.dumps with options) costs more than encoding.
_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# A time as the database gives it as text, in UTC: SQLite stores
# "2026-02-02 09:15:30.123456", PostgreSQL answers "2026-02-02 09:15:30.123456+00".
_STORED_UTC = re.compile(
    r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00(?::?00)?|Z)?"
)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def utc_text(stored: str) -> str:
    """A time the database gave as text, written as the export writes times."""
    found = _STORED_UTC.fullmatch(stored)
    if found is None:
        return _utc(dt.datetime.fromisoformat(stored))
    day, time, fraction = found.groups()
    return f"{day}T{time}.{(fraction or ''):0<6}Z"


def json_text(stored: str) -> str:
    """JSON the database gave as text, written as the export writes JSON."""
    return _JSON.encode(json.loads(stored))


def to_text(column: Column, value: Any) -> str:
    """One value as the CSV cell that holds it. An empty cell is NULL, except
    in a text column, where it is the empty string (a nullable text column
    writes NULL as \\N, and escapes a value made of backslashes and an N)."""
    kind = column.type
    if value is None:
        if kind == "json" and not column.nullable:
            return "null"  # JSON's null in a column that holds no SQL NULL
        return NULL_TEXT if kind == "text" and column.nullable else ""
    if kind == "text":
        text = str(value)
        return "\\" + text if column.nullable and _ESCAPED_NULL.fullmatch(text) else text
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        return _utc(value)
    if kind == "date":
        return str(value.isoformat())
    if kind == "json":
        return _JSON.encode(value)
    if kind == "float":
        return repr(float(value))
    if kind.startswith("decimal"):
        return format(Decimal(value), "f")
    return str(value)


class BadValue(ValueError):
    pass


_EXPORTED_UTC = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\.\d{6}Z")


def stored_time(text: str, vendor: str) -> str:
    """An exported time (or Parquet's "2026-02-02 09:15:30.123456Z") as the
    database takes it: PostgreSQL reads it as it is; SQLite gets Django's own
    text form (no fraction when it is zero), so that comparisons with the
    times Django passes in queries hold."""
    if not _EXPORTED_UTC.fullmatch(text):
        raise BadValue(f"{text[:40]!r} is not a time in UTC as an export writes it")
    if vendor != "sqlite":
        return text
    fraction = text[20:26]
    return f"{text[:10]} {text[11:19]}" + ("" if fraction == "000000" else f".{fraction}")


def stored_json(text: str) -> str:
    """Exported JSON as the database takes it: the same text, once it is known to be JSON."""
    try:
        json.loads(text)
    except ValueError as error:
        raise BadValue(f"{text[:40]!r} is not JSON") from error
    return text


def from_text(column: Column, text: str) -> Any:
    """The value a CSV cell holds (the inverse of to_text)."""
    kind = column.type
    if kind == "text":
        if not column.nullable:
            return text
        if text == NULL_TEXT:
            return None
        return text[1:] if _ESCAPED_NULL.fullmatch(text) and len(text) > 2 else text
    if text == "":
        if not column.nullable:
            raise BadValue(f"{column.name} is empty but may not be")
        return None
    try:
        return _parse(kind, text)
    except (ValueError, ArithmeticError) as error:
        raise BadValue(f"{column.name}: {text[:60]!r} is not a {kind}") from error


def _parse(kind: str, text: str) -> Any:
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    if kind == "datetime":
        value = dt.datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise ValueError(text)
        return value.astimezone(dt.UTC)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "json":
        return json.loads(text)
    if kind == "float":
        return float(text)
    if kind.startswith("decimal"):
        return Decimal(text)
    raise ValueError(kind)
