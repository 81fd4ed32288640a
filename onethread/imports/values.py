"""Reading one cell of an export as a typed value: dates and times in the
formats a mapping allows, numbers with either decimal separator, flags, and
the keys of value maps. Pure functions; nothing here touches the database."""

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

ISO = "iso"
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%X", "%c", "%T", "%R", "%p", "%f", "%z")
# strptime directives whose values fromisoformat reads the same way, at fixed widths.
_FIXED_WIDTHS = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
_TRUE = {"true", "t", "yes", "y", "1", "on", "x"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


class BadValue(ValueError):
    """The text is not a value of the expected type (the message says why)."""


class Moment(NamedTuple):
    """A point in time read from a cell; `precise` is False when the cell
    gave a date only (the moment is then the start of that day)."""

    at: dt.datetime
    precise: bool


@dataclass(frozen=True)
class DateFormat:
    pattern: str  # a strptime pattern, or "iso"
    has_time: bool
    shape: (
        tuple[int, tuple[tuple[int, str], ...]] | None
    )  # length and separators, for the fast path

    @classmethod
    def parse(cls, pattern: str) -> "DateFormat":
        if pattern == ISO:
            return cls(ISO, True, None)
        has_time = any(directive in pattern for directive in _TIME_DIRECTIVES)
        return cls(pattern, has_time, _iso_shape(pattern))


def _iso_shape(pattern: str) -> tuple[int, tuple[tuple[int, str], ...]] | None:
    """For patterns like %Y-%m-%d %H:%M:%S, the text's length and the position
    of each separator: text of that exact shape can be read with the much
    faster fromisoformat."""
    position, separators, rest = 0, [], pattern
    while rest:
        if rest[:2] in _FIXED_WIDTHS:
            position += _FIXED_WIDTHS[rest[:2]]
            rest = rest[2:]
        elif rest[0] in "-: T" and not rest.startswith("%"):
            separators.append((position, rest[0]))
            position += 1
            rest = rest[1:]
        else:
            return None
    if not pattern.startswith("%Y-%m-%d"):
        return None
    return position, tuple(separators)


def check_date_format(pattern: str) -> str | None:
    """What is wrong with a format a mapping gives, or None."""
    if pattern == ISO:
        return None
    if "%" not in pattern:
        return f"{pattern!r} is not a date format (use strptime codes like %Y-%m-%d, or 'iso')"
    try:
        sample = dt.datetime(2024, 11, 23, 17, 45, 12).strftime(pattern)
        dt.datetime.strptime(sample, pattern)
    except ValueError as error:
        return f"{pattern!r} is not a usable date format: {error}"
    return None


def _read(text: str, form: DateFormat) -> dt.datetime | None:
    if form.pattern == ISO:
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    shape = form.shape
    if (
        shape is not None
        and len(text) == shape[0]
        and all(text[index] == separator for index, separator in shape[1])
    ):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    try:
        return dt.datetime.strptime(text, form.pattern)
    except ValueError:
        return None


def parse_moment(text: str, formats: tuple[DateFormat, ...], zone: dt.tzinfo) -> Moment:
    """A date and time in one of the formats. A value without a time zone is
    read in `zone`; a date without a time is the start of that day, marked
    imprecise (the time is not known and never invented)."""
    text = text.strip()
    for form in formats:
        moment = _read(text, form)
        if moment is None:
            continue
        precise = form.has_time and not (form.pattern == ISO and len(text) == 10)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return Moment(moment, precise)
    raise BadValue(f"not a date in the allowed formats ({describe_formats(formats)})")


def moment_reader(formats: tuple[DateFormat, ...], zone: dt.tzinfo) -> Callable[[str], Moment]:
    """parse_moment for one mapping, with the common case made fast: text in
    the shape of its first format (e.g. 2024-05-06 12:30:00), read by
    fromisoformat."""
    first = formats[0]
    if first.shape is None or first.pattern == ISO:
        return lambda text: parse_moment(text, formats, zone)
    length, separators = first.shape
    shape = ["\\d"] * length
    for index, char in separators:
        shape[index] = re.escape(char)
    matches = re.compile("".join(shape)).fullmatch
    precise, fromisoformat = first.has_time, dt.datetime.fromisoformat

    def read(text: str) -> Moment:
        if matches(text):
            try:
                moment = fromisoformat(text)
            except ValueError:
                pass
            else:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=zone)
                return Moment(moment, precise)
        return parse_moment(text, formats, zone)

    return read


def parse_date(text: str, formats: tuple[DateFormat, ...], zone: dt.tzinfo) -> dt.date:
    """A calendar date; a value with a time gives its date in `zone`."""
    moment = parse_moment(text, formats, zone)
    return moment.at.astimezone(zone).date() if moment.precise else moment.at.date()


def describe_formats(formats: tuple[DateFormat, ...]) -> str:
    return ", ".join("ISO 8601" if form.pattern == ISO else form.pattern for form in formats)


def time_zone(name: str) -> dt.tzinfo:
    """The zone of that name; BadValue when unknown."""
    if name.upper() == "UTC":
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise BadValue(f"unknown time zone {name!r}") from error


_NUMBER_PATTERNS: dict[str, re.Pattern[str]] = {}


def _number_pattern(decimal_separator: str) -> re.Pattern[str]:
    if decimal_separator not in _NUMBER_PATTERNS:
        group = "," if decimal_separator == "." else "."
        groups = rf"[{re.escape(group)}\s\u00a0\u202f']"
        _NUMBER_PATTERNS[decimal_separator] = re.compile(
            rf"^[+-]?(?:\d+|\d{{1,3}}(?:{groups}\d{{3}})+)(?:{re.escape(decimal_separator)}\d+)?$"
        )
    return _NUMBER_PATTERNS[decimal_separator]


def parse_decimal(text: str, decimal_separator: str = ".") -> Decimal:
    """A number written with `decimal_separator` ("." or ","), thousands
    grouped or not (1,234.5 / 1.234,5 / 1 234,5)."""
    text = text.strip()
    if not _number_pattern(decimal_separator).match(text):
        raise BadValue(f"not a number (decimal separator {decimal_separator!r})")
    digits = re.sub(
        r"[\s\u00a0\u202f',.]", lambda m: "." if m.group() == decimal_separator else "", text
    )
    try:
        return Decimal(digits)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise BadValue("not a number") from error


def parse_int(text: str, decimal_separator: str = ".") -> int:
    number = parse_decimal(text, decimal_separator)
    if number != number.to_integral_value():
        raise BadValue("not a whole number")
    return int(number)


def parse_bool(text: str) -> bool:
    key = text.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise BadValue("not a yes/no value (true, false, yes, no, 1, 0)")


def map_key(text: str) -> str:
    """How a value is looked up in a value map: neither case nor surrounding
    or repeated spaces matter."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(folded.split())
