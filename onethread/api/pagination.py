"""Key-based pagination: a page ends with an opaque cursor naming the sort key
of its last row; the next page starts strictly after it. Never OFFSET, so a
page costs the same at row 50 and at row 5 million."""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_MAX_LENGTH = 2000
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"
MAX_CURSOR_INT = 2**63 - 1


@dataclass(frozen=True)
class Key:
    """One column of a sort order; the last key of an order must be unique."""

    field: str
    descending: bool = False
    kind: type = int

    @property
    def order_by(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next: str | None


def encode_cursor(values: Sequence[object]) -> str:
    plain = [value.isoformat() if isinstance(value, dt.datetime) else value for value in values]
    raw = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid(param: str) -> ValidationError:
    return ValidationError({param: "This cursor is not one the API gave out."})


def _decode_value(value: object, key: Key, param: str) -> object:
    if key.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(param)
        if not -MAX_CURSOR_INT <= value <= MAX_CURSOR_INT:
            raise _invalid(param)
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise _invalid(param)
    if key.kind is dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise _invalid(param) from error
        if moment.tzinfo is None:
            raise _invalid(param)
        return moment
    return value


def decode_cursor(cursor: str, keys: Sequence[Key], param: str) -> list[object]:
    """The key values a cursor names, or a ValidationError on `param`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values: Any = json.loads(raw.decode())
    except (binascii.Error, ValueError) as error:
        raise _invalid(param) from error
    if not isinstance(values, list) or len(values) != len(keys):
        raise _invalid(param)
    return [_decode_value(value, key, param) for value, key in zip(values, keys, strict=True)]


def _after(keys: Sequence[Key], values: Sequence[object]) -> Q:
    """Rows strictly after `values` in the order `keys` (row comparison spelled
    out, so it works for mixed directions on every database)."""
    conditions = []
    for position, key in enumerate(keys):
        equal = {k.field: v for k, v in zip(keys[:position], values[:position], strict=True)}
        lookup = "lt" if key.descending else "gt"
        conditions.append(Q(**equal, **{f"{key.field}__{lookup}": values[position]}))
    return reduce(or_, conditions)


def paginate[M: Model](
    queryset: QuerySet[M],
    keys: Sequence[Key],
    *,
    limit: int,
    cursor: str | None,
    param: str = "after",
) -> Page[M]:
    """One page of `queryset` in the order `keys`, starting after `cursor`."""
    queryset = queryset.order_by(*(key.order_by for key in keys))
    if cursor:
        queryset = queryset.filter(_after(keys, decode_cursor(cursor, keys, param)))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next=None)
    last = rows[limit - 1]
    return Page(
        items=rows[:limit],
        next=encode_cursor([getattr(last, key.field) for key in keys]),
    )
