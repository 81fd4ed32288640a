"""One row of a mapped file, validated and typed: every field its mapping
names, read by the field's type and value map; every problem of the row
reported at once (column, value, reason). Nothing here touches the database:
stage keys and the like come in as plain data.

Files run to millions of rows, so the work of reading each field is decided
once per file, and value maps remember what they have already looked up."""

import datetime as dt
import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from onethread.imports.entities import PRIORITIES, Field
from onethread.imports.files import MIXED, Row, Table, undecodable
from onethread.imports.mapping import ANY_OTHER, Mapping, StageTarget
from onethread.imports.matching import normalise_domain
from onethread.imports.report import Rejected
from onethread.imports.values import (
    BadValue,
    Moment,
    map_key,
    moment_reader,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_moment,
)

EXTRA = "\0extra"
MAX_EXTERNAL_ID = 200
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
MEMO_LIMIT = 10_000
Reader = Callable[[str], Any]


class RowRefused(ValueError):
    def __init__(self, problems: list[Rejected]) -> None:
        super().__init__("; ".join(problem.reason for problem in problems))
        self.problems = problems


class ParsedRow:
    """A valid row: its fields typed, its references as written, its digest."""

    __slots__ = (
        "attributes",
        "digest",
        "external_id",
        "history",
        "line",
        "reasons",
        "refs",
        "values",
    )

    def __init__(self, line: int, external_id: str, values: dict[str, Any], digest: str) -> None:
        self.line = line
        self.external_id = external_id
        self.values = values  # field → typed value; absent when its cell is empty
        self.digest = digest  # what the row says, in 32 characters: unchanged rows are skipped
        self.attributes: dict[str, str] = {}
        self.refs: dict[str, str] = {}  # reference → the text that names it
        self.history: list[tuple[str, Moment | None]] = []  # (stage key, when it was entered)
        self.reasons: dict[str, str] = {}  # outcome stage → the mapping's reason


@dataclass(frozen=True)
class Stages:
    """The stages of this installation, as plain data: key → name, and which are outcomes."""

    names: dict[str, str]
    outcomes: frozenset[str]


@dataclass(frozen=True)
class Step:
    """How one field is read from its column."""

    name: str
    column: str
    required: bool
    empty_mapped: bool  # the value map says what an empty cell means
    read: Reader


class RowParser:
    """Parses the rows of one file with one mapping."""

    def __init__(self, mapping: Mapping, table: Table, stages: Stages, *, now: dt.datetime) -> None:
        self.mapping = mapping
        self.now = now
        self.check_encoding = table.encoding == MIXED
        present = set(table.columns)
        fields = mapping.entity.fields
        self.steps = [
            Step(
                name,
                column,
                fields[name].required,
                "" in mapping.values.get(name, {}),
                self._reader(name, fields[name], stages),
            )
            for name, column in mapping.columns.items()
            if column in present
        ]
        self.references = [
            (ref.name, ref.column) for ref in mapping.references.values() if ref.column in present
        ]
        self.attribute_columns = [column for column in mapping.attributes if column in present]
        self.history = [(column, target) for column, target in mapping.history if column in present]
        used = [mapping.id_column] if mapping.id_column else []
        used += [step.column for step in self.steps] + [column for _, column in self.references]
        used += self.attribute_columns + [column for column, _ in self.history]
        self.used = list(dict.fromkeys(used))
        self.used_cells = _cells(self.used)
        self.plan = [(s.name, s.column, s.required, s.empty_mapped, s.read) for s in self.steps]
        self.missing = sorted(
            {
                *mapping.columns.values(),
                *mapping.attributes,
                *(r.column for r in mapping.references.values()),
            }
            - present
        )
        # Changing the mapping changes every digest: a re-import then applies it.
        said = repr(replace(mapping, source="", description=""))
        self.fingerprint = hashlib.md5(said.encode(), usedforsecurity=False).hexdigest()
        self.rules = self._rules()

    # Readers, one per field -------------------------------------------------

    def _reader(self, name: str, spec: Field, stages: Stages) -> Reader:
        mapping = self.mapping
        value_map = mapping.values.get(name)
        if spec.type == "stage":
            return _memo(_stage_reader(value_map, stages))
        if value_map is not None:
            return _memo(_mapped(value_map))
        if spec.type == "choice":
            return _memo(_choice_reader(name, spec))
        if spec.type == "text":
            return _text_reader(spec.max_length)
        readers: dict[str, Reader] = {
            "email": _email,
            "domain": _domain,
            "int": lambda text: _non_negative(parse_int(text, mapping.decimal_separator)),
            "decimal": lambda text: _amount(parse_decimal(text, mapping.decimal_separator)),
            "date": lambda text: parse_date(text, mapping.formats, mapping.zone),
            "moment": moment_reader(mapping.formats, mapping.zone),
            "bool": parse_bool,
        }
        return readers[spec.type]

    # Parsing a row ----------------------------------------------------------

    def parse(self, row: Row) -> ParsedRow:
        values_in = row.values
        if EXTRA in values_in or None in values_in.values() or self.check_encoding:
            self._check_shape(values_in)
        problems: list[Rejected] = []
        external_id = self._external_id(values_in, problems)
        values: dict[str, Any] = {}
        for name, column, required, empty_mapped, read in self.plan:
            text = values_in[column] or ""
            stripped = text.strip()
            if not stripped and not empty_mapped:
                if required:
                    problems.append(Rejected(column, text, "required, but empty"))
                continue
            try:
                values[name] = read(stripped)
            except BadValue as error:
                problems.append(Rejected(column, text, str(error)))
        # No cell is None here (checked above): the used cells, joined in C.
        raw = "\x1f".join(self.used_cells(values_in))
        digest = hashlib.md5((self.fingerprint + raw).encode(), usedforsecurity=False).hexdigest()
        parsed = ParsedRow(row.line, external_id or "row:" + digest, values, digest)
        stage = values.get("stage")
        if stage is not None:
            values["stage"] = stage.key
            if stage.reason:
                parsed.reasons[stage.key] = stage.reason
        if self.history:
            self._history(values_in, parsed, problems)
        for name, column in self.references:
            parsed.refs[name] = (values_in[column] or "").strip()
        for column in self.attribute_columns:
            text = (values_in[column] or "").strip()
            if text:
                parsed.attributes[column] = text
        for rule in self.rules:
            rule(parsed, problems)
        if problems:
            raise RowRefused(problems)
        return parsed

    def _check_shape(self, values: dict[str, str | None]) -> None:
        if EXTRA in values:
            raise RowRefused(
                [Rejected("", values[EXTRA], "more values than the header has columns")]
            )
        for column in self.used:
            if values.get(column, "") is None:
                raise RowRefused([Rejected(column, None, "missing: the line ends early")])
        if self.check_encoding:
            problems = [
                Rejected(
                    column, values[column], "bytes that are not UTF-8: the file mixes encodings"
                )
                for column in self.used
                if undecodable(values[column] or "")
            ]
            if problems:
                raise RowRefused(problems)

    def _external_id(self, values: dict[str, str | None], problems: list[Rejected]) -> str:
        column = self.mapping.id_column
        if column is None:
            return ""
        text = (values[column] or "").strip()
        if not text:
            problems.append(Rejected(column, text, "no id: every row needs its id"))
        elif len(text) > MAX_EXTERNAL_ID:
            problems.append(
                Rejected(column, text, f"an id longer than {MAX_EXTERNAL_ID} characters")
            )
        return text

    def _history(
        self, values: dict[str, str | None], parsed: ParsedRow, problems: list[Rejected]
    ) -> None:
        """Wide stage history: a cell with a time is when the stage was
        entered; "yes" means entered at a time not known; empty, never entered.
        Several columns may lead to one of our stages: it was entered at the
        earliest of their times."""
        mapping = self.mapping
        entered: dict[str, Moment | None] = {}
        for column, target in self.history:
            text = (values[column] or "").strip()
            if not text:
                continue
            if target.reason:
                parsed.reasons.setdefault(target.key, target.reason)
            try:
                moment: Moment | None = parse_moment(text, mapping.formats, mapping.zone)
            except BadValue as error:
                if not _yes(text):
                    problems.append(Rejected(column, text, str(error)))
                    continue
                moment = None
            earlier = entered.get(target.key)
            if target.key not in entered or (
                moment and (earlier is None or moment.at < earlier.at)
            ):
                entered[target.key] = moment
        parsed.history = list(entered.items())

    # Rules across fields ------------------------------------------------------

    def _rules(self) -> list[Callable[[ParsedRow, list[Rejected]], None]]:
        mapping = self.mapping
        entity, columns = mapping.entity, mapping.columns
        rules: list[Callable[[ParsedRow, list[Rejected]], None]] = []
        if entity.name == "contact":

            def named(parsed: ParsedRow, problems: list[Rejected]) -> None:
                if not any(parsed.values.get(name) for name in ("name", "first_name", "last_name")):
                    column = (
                        columns.get("name")
                        or columns.get("last_name")
                        or columns.get("first_name", "")
                    )
                    problems.append(Rejected(column, "", "a contact needs a name"))

            rules.append(named)
        if entity.name == "interaction":
            latest = (self.now + dt.timedelta(minutes=5)).astimezone(
                mapping.zone
            )  # same zone: fast to compare

            def not_future(parsed: ParsedRow, problems: list[Rejected]) -> None:
                moment = parsed.values.get("occurred_at")
                if moment is not None and moment.at > latest:
                    problems.append(
                        Rejected(
                            columns["occurred_at"],
                            moment.at.isoformat(),
                            "an interaction cannot be in the future",
                        )
                    )

            rules.append(not_future)
        if entity.needs_one_of:
            rules.append(self._belongs())
        return rules

    def _belongs(self) -> Callable[[ParsedRow, list[Rejected]], None]:
        mapping = self.mapping
        needs = mapping.entity.needs_one_of
        inline = mapping.entity.inline_account
        column = next((mapping.references[n].column for n in needs if n in mapping.references), "")
        column = column or mapping.columns.get("account_name", "")
        what = "its account" if inline else " or ".join(needs)

        def belongs(parsed: ParsedRow, problems: list[Rejected]) -> None:
            refs = parsed.refs
            for name in needs:
                if refs.get(name):
                    return
            values = parsed.values
            if inline and (values.get("account_name") or values.get("account_domain")):
                return
            problems.append(
                Rejected(column, "", f"the row does not say which {what} it belongs to")
            )

        return belongs


def _cells(columns: list[str]) -> Callable[[dict[str, str | None]], tuple[str, ...]]:
    """A function giving a row's cells of these columns, as a tuple."""
    if not columns:
        return lambda values: ()
    get = operator.itemgetter(*columns)
    if len(columns) == 1:
        return lambda values: (get(values),)
    return get


def _memo(read: Reader) -> Reader:
    """A reader that remembers its answers (value maps see few distinct values)."""
    answers: dict[str, Any] = {}

    def remembered(text: str) -> Any:
        try:
            return answers[text]
        except KeyError:
            answer = read(text)
            if len(answers) < MEMO_LIMIT:
                answers[text] = answer
            return answer

    return remembered


def _mapped(value_map: dict[str, Any]) -> Reader:
    known = ", ".join(repr(key) for key in value_map if key != ANY_OTHER)

    def read(text: str) -> Any:
        key = map_key(text)
        if key in value_map:
            return value_map[key]
        if ANY_OTHER in value_map:
            return value_map[ANY_OTHER]
        raise BadValue(f"not a value the mapping knows (known: {known})")

    return read


def _stage_reader(value_map: dict[str, Any] | None, stages: Stages) -> Reader:
    if value_map is not None:
        known = ", ".join(repr(key) for key in value_map if key != ANY_OTHER)

        def read_mapped(text: str) -> StageTarget:
            target = value_map.get(map_key(text), value_map.get(ANY_OTHER))
            if target is None:
                raise BadValue(f"unknown stage value (known: {known})")
            return target

        return read_mapped
    by_name = {map_key(key): key for key in stages.names} | {
        map_key(name): key for key, name in stages.names.items()
    }
    known_stages = ", ".join(stages.names)

    def read(text: str) -> StageTarget:
        key = by_name.get(map_key(text))
        if key is None:
            raise BadValue(f"unknown stage (known: {known_stages})")
        return StageTarget(key)

    return read


def _text_reader(max_length: int | None) -> Reader:
    if max_length is None:
        return str
    limit = max_length

    def read(text: str) -> str:
        if len(text) > limit:
            raise BadValue(f"longer than {limit} characters")
        return text

    return read


def _email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError as error:
        raise BadValue("not an email address") from error
    return text


def _domain(text: str) -> str:
    domain = normalise_domain(text)
    if not domain:
        raise BadValue("not a domain or web address")
    return domain


def _non_negative(number: int) -> int:
    if number < 0:
        raise BadValue("cannot be negative")
    return number


def _amount(number: Decimal) -> Decimal:
    if number < 0:
        raise BadValue("an amount cannot be negative")
    if number > MAX_AMOUNT:
        raise BadValue("too large an amount")
    return number.quantize(CENT)


def _yes(text: str) -> bool:
    try:
        return parse_bool(text)
    except BadValue:
        return False


def _choice_reader(name: str, spec: Field) -> Reader:
    if name == "priority":
        options: dict[str, Any] = dict(PRIORITIES)
        options |= {str(number): number for number in PRIORITIES.values()}
    else:
        options = {map_key(choice): choice for choice in spec.choices}
        options |= {map_key(choice.replace("_", " ")): choice for choice in spec.choices}
    known = ", ".join(spec.choices)

    def read(text: str) -> Any:
        key = map_key(text)
        if key not in options:
            raise BadValue(f"not one of {known} (add a value map for {name})")
        return options[key]

    return read
