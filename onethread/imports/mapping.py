"""Mapping files: which columns of an export become which fields, in TOML.
A mapping is checked as a whole when it is read, and every mistake in it is
reported at once, with where it is. docs/importing.md describes the format."""

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from onethread.imports.entities import (
    CONTACT_LOOKUPS,
    ENTITIES,
    OWNER_LOOKUPS,
    PRIORITIES,
    Entity,
)
from onethread.imports.values import (
    BadValue,
    DateFormat,
    check_date_format,
    map_key,
    time_zone,
)

PACKAGE = "onethread.imports"
TOP_LEVEL = {
    "description",
    "system",
    "entity",
    "id_column",
    "team",
    "open_journeys_in",
    "attributes",
    "columns",
    "references",
    "values",
    "stage_history",
    "dates",
    "numbers",
}
ANY_OTHER = "*"


def a(noun: str) -> str:
    """The noun with its indefinite article: an account, a deal."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


class MappingError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The mapping {source} has {len(problems)} problem(s):\n{listed}")


@dataclass(frozen=True)
class StageTarget:
    key: str
    reason: str = ""


@dataclass(frozen=True)
class Reference:
    name: str  # account, journey, deal, contact or owner
    column: str
    system: str  # the external-id namespace of the record named
    by: str = "external_id"  # owner: email, username or name; contact: external_id or email
    unknown: str = "refuse"  # owner only: refuse the row, or leave_empty


@dataclass(frozen=True)
class Mapping:
    source: str
    system: str
    entity: Entity
    id_column: str | None
    columns: dict[str, str]
    references: dict[str, Reference]
    attributes: tuple[str, ...]
    values: dict[str, dict[str, Any]]  # field → {map_key(value): target}
    history: tuple[tuple[str, StageTarget], ...]  # wide stage history: column → stage
    formats: tuple[DateFormat, ...]
    zone: dt.tzinfo
    decimal_separator: str
    team: str
    open_journeys_in: str
    description: str = ""

    def required_columns(self) -> list[str]:
        """The columns a file must have for this mapping (optional ones may be absent)."""
        required = [self.id_column] if self.id_column else []
        required += [
            column for name, column in self.columns.items() if self.entity.fields[name].required
        ]
        required += [
            reference.column
            for reference in self.references.values()
            if reference.name in self.entity.needs_one_of and len(self._named_parents()) == 1
        ]
        return list(dict.fromkeys(required))

    def _named_parents(self) -> list[str]:
        named = [name for name in self.entity.needs_one_of if name in self.references]
        if self.entity.inline_account and ({"account_name", "account_domain"} & set(self.columns)):
            named.append("inline")
        return named

    def stage_targets(self) -> list[tuple[str, StageTarget]]:
        """Every stage this mapping can put a journey in, with where it is said."""
        targets = [
            (f"values.stage {key!r}", target)
            for key, target in self.values.get("stage", {}).items()
        ]
        targets += [(f"stage_history {column!r}", target) for column, target in self.history]
        if self.open_journeys_in:
            targets.append(("open_journeys_in", StageTarget(self.open_journeys_in)))
        return targets


def packaged_mappings() -> list[str]:
    """The names of the mappings shipped in the package: hubspot/deals, …"""
    root = resources.files(PACKAGE) / "mappings"
    names: list[str] = []
    if not root.is_dir():
        return names
    for system in root.iterdir():
        if system.is_dir():
            names += [
                f"{system.name}/{item.name[:-5]}"
                for item in system.iterdir()
                if item.name.endswith(".toml")
            ]
    return sorted(names)


def load_mapping(spec: str | Path) -> Mapping:
    """A mapping from a file, or a packaged one by name (hubspot/deals)."""
    path = Path(spec)
    if path.is_file():
        return parse_mapping(_read_toml(path.read_bytes(), str(spec)), str(spec))
    name = str(spec).removesuffix(".toml")
    if name in packaged_mappings():
        packaged = resources.files(PACKAGE) / "mappings" / f"{name}.toml"
        return parse_mapping(_read_toml(packaged.read_bytes(), name), name)
    raise MappingError(
        str(spec),
        [f"no such file, nor a packaged mapping (packaged: {', '.join(packaged_mappings())})"],
    )


def _read_toml(content: bytes, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(source, [f"not valid TOML: {error}"]) from error


class _Checker:
    """Reads a mapping's TOML, collecting every problem instead of stopping at the first."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{key}: {'required, ' if required else ''}give it as a string")
            return default
        return value.strip()

    def table(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.problem(f"{key}: must be a table ([{key}])")
            return {}
        return value


def parse_mapping(data: dict[str, Any], source: str) -> Mapping:
    check = _Checker(data)
    for key in sorted(set(data) - TOP_LEVEL):
        check.problem(f"{key}: not a mapping setting (known: {', '.join(sorted(TOP_LEVEL))})")
    system = check.text("system", required=True)
    entity_name = check.text("entity", required=True)
    entity = ENTITIES.get(entity_name)
    if entity is None:
        if entity_name:
            check.problem(f"entity: {entity_name!r} is not one of {', '.join(ENTITIES)}")
        raise MappingError(source, check.problems)
    id_column = check.text("id_column") or None
    columns = _columns(check, entity)
    references = _references(check, entity, system)
    _check_parents(check, entity, columns, references)
    formats, zone = _dates(check)
    mapping = Mapping(
        source=source,
        system=system,
        entity=entity,
        id_column=id_column,
        columns=columns,
        references=references,
        attributes=_attributes(check),
        values=_values(check, entity),
        history=_history(check, entity),
        formats=formats,
        zone=zone,
        decimal_separator=_decimal_separator(check),
        team=check.text("team", default=f"Imported from {system}") or f"Imported from {system}",
        open_journeys_in=check.text("open_journeys_in"),
        description=check.text("description"),
    )
    if check.problems:
        raise MappingError(source, check.problems)
    return mapping


def _columns(check: _Checker, entity: Entity) -> dict[str, str]:
    columns: dict[str, str] = {}
    for name, column in check.table("columns").items():
        if name not in entity.fields:
            check.problem(
                f"columns.{name}: {a(entity.name)} has no such field"
                f" (fields: {', '.join(entity.fields)})"
            )
        elif not isinstance(column, str) or not column.strip():
            check.problem(f"columns.{name}: give the column's name as a string")
        else:
            columns[name] = column.strip()
    for name, spec in entity.fields.items():
        if spec.required and name not in columns:
            check.problem(
                f"columns.{name}: required for {a(entity.name)}; name the column that holds it"
            )
    if entity.name == "contact" and not {"name", "first_name", "last_name"} & set(columns):
        check.problem("columns: a contact needs name, or first_name and last_name")
    return columns


def _references(check: _Checker, entity: Entity, system: str) -> dict[str, Reference]:
    references: dict[str, Reference] = {}
    for name, spec in check.table("references").items():
        where = f"references.{name}"
        if name not in entity.references:
            allowed = ", ".join(sorted(entity.references)) or "none"
            check.problem(
                f"{where}: {a(entity.name)} cannot name {a(name)} (it can name: {allowed})"
            )
            continue
        if isinstance(spec, str):
            spec = {"column": spec}
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("column"), str)
            or not spec["column"].strip()
        ):
            check.problem(f'{where}: give a column name, or a table {{ column = "…" }}')
            continue
        unknown_keys = set(spec) - {"column", "system", "by", "unknown"}
        if unknown_keys:
            check.problem(f"{where}: unknown setting(s) {', '.join(sorted(unknown_keys))}")
        lookups = (
            OWNER_LOOKUPS
            if name == "owner"
            else CONTACT_LOOKUPS
            if name == "contact"
            else ("external_id",)
        )
        by = spec.get("by", lookups[0])
        if by not in lookups:
            check.problem(f"{where}.by: {by!r} is not one of {', '.join(lookups)}")
        unknown = spec.get("unknown", "refuse")
        if unknown not in ("refuse", "leave_empty") or (unknown != "refuse" and name != "owner"):
            check.problem(f"{where}.unknown: refuse or leave_empty, for an owner only")
        references[name] = Reference(
            name, spec["column"].strip(), str(spec.get("system", system)), str(by), str(unknown)
        )
    return references


def _check_parents(
    check: _Checker, entity: Entity, columns: dict[str, str], references: dict[str, Reference]
) -> None:
    if not entity.needs_one_of:
        return
    inline = entity.inline_account and bool({"account_name", "account_domain"} & set(columns))
    if not inline and not any(name in references for name in entity.needs_one_of):
        options = " or ".join(f"references.{name}" for name in entity.needs_one_of)
        if entity.inline_account:
            options += " or columns.account_name"
        check.problem(
            f"references: {a(entity.name)} must say which record it belongs to ({options})"
        )


def _attributes(check: _Checker) -> tuple[str, ...]:
    value = check.data.get("attributes", [])
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        check.problem("attributes: give a list of column names")
        return ()
    return tuple(dict.fromkeys(item.strip() for item in value))


def _stage_target(check: _Checker, where: str, value: Any) -> StageTarget | None:
    if isinstance(value, str) and value.strip():
        return StageTarget(value.strip())
    if (
        isinstance(value, dict)
        and isinstance(value.get("stage"), str)
        and set(value) <= {"stage", "reason"}
    ):
        reason = value.get("reason", "")
        if isinstance(reason, str):
            return StageTarget(value["stage"].strip(), reason.strip())
    check.problem(f'{where}: give a stage key, or {{ stage = "lost", reason = "…" }}')
    return None


def _values(check: _Checker, entity: Entity) -> dict[str, dict[str, Any]]:
    maps: dict[str, dict[str, Any]] = {}
    for name, table in check.table("values").items():
        where = f"values.{name}"
        spec = entity.fields.get(name)
        if spec is None:
            check.problem(f"{where}: {a(entity.name)} has no such field")
            continue
        if not isinstance(table, dict):
            check.problem(f"{where}: must be a table of source value = our value")
            continue
        maps[name] = {}
        for value, target in table.items():
            key = ANY_OTHER if value == ANY_OTHER else map_key(value)
            converted = _map_target(
                check, f"{where} {value!r}", spec.type, spec.choices, name, target
            )
            if converted is not None:
                maps[name][key] = converted
    return maps


def _map_target(
    check: _Checker, where: str, kind: str, choices: tuple[str, ...], name: str, target: Any
) -> Any:
    if kind == "stage":
        return _stage_target(check, where, target)
    if kind == "choice" and name == "priority":
        if isinstance(target, int) and target in PRIORITIES.values():
            return target
        if isinstance(target, str) and target in PRIORITIES:
            return PRIORITIES[target]
        check.problem(f"{where}: a priority is one of {', '.join(PRIORITIES)}")
        return None
    if kind == "choice":
        if target not in choices:
            check.problem(f"{where}: {target!r} is not one of {', '.join(choices)}")
            return None
        return target
    if kind == "bool":
        if not isinstance(target, bool):
            check.problem(f"{where}: give true or false")
            return None
        return target
    if not isinstance(target, str):
        check.problem(f"{where}: give the value as a string")
        return None
    return target


def _history(check: _Checker, entity: Entity) -> tuple[tuple[str, StageTarget], ...]:
    table = check.table("stage_history")
    if table and not entity.wide_history:
        check.problem(
            f"stage_history: {a(entity.name)} file has no stage columns (journey and deal files do)"
        )
        return ()
    history = []
    for column, value in table.items():
        target = _stage_target(check, f"stage_history {column!r}", value)
        if target is not None:
            history.append((column, target))
    return tuple(history)


def _dates(check: _Checker) -> tuple[tuple[DateFormat, ...], dt.tzinfo]:
    table = check.table("dates")
    unknown = set(table) - {"formats", "time_zone"}
    if unknown:
        check.problem(
            f"dates: unknown setting(s) {', '.join(sorted(unknown))} (formats, time_zone)"
        )
    patterns = table.get("formats", ["iso"])
    if (
        not isinstance(patterns, list)
        or not patterns
        or not all(isinstance(p, str) for p in patterns)
    ):
        check.problem('dates.formats: give a list of formats, like ["%Y-%m-%d %H:%M", "iso"]')
        patterns = ["iso"]
    for pattern in patterns:
        problem = check_date_format(pattern)
        if problem:
            check.problem(f"dates.formats: {problem}")
    zone: dt.tzinfo = dt.UTC
    name = table.get("time_zone", "UTC")
    try:
        zone = time_zone(str(name))
    except BadValue as error:
        check.problem(f"dates.time_zone: {error}")
    formats = tuple(DateFormat.parse(p) for p in patterns if check_date_format(p) is None)
    return formats or (DateFormat.parse("iso"),), zone


def _decimal_separator(check: _Checker) -> str:
    separator = check.table("numbers").get("decimal_separator", ".")
    if separator not in (".", ","):
        check.problem('numbers.decimal_separator: "." or ","')
        return "."
    return str(separator)
