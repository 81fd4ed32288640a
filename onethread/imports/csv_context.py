"""What one CSV import knows while it runs: the stages, the people, the
records already imported (looked up batch by batch, never all at once), the
rows it refused (so the rows that depend on them are refused too, saying
why), and the journeys whose stage or first touch it must settle at the end."""

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F

from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal
from onethread.imports.csv_rows import Stages
from onethread.imports.mapping import Mapping, Reference
from onethread.imports.matching import AccountMatcher, ContactMatcher
from onethread.imports.models import ExternalRecord
from onethread.imports.report import ImportReport, Rejected
from onethread.journeys.models import EventKind, Journey, JourneyEvent, Stage
from onethread.journeys.stages import install_default_stages
from onethread.team.models import Member, Team

LOOKUP_CHUNK = 2000
KINDS = {"account": "account", "journey": "journey", "deal": "deal", "contact": "contact"}


@dataclass(frozen=True)
class Found:
    """An external id already imported: the record it became."""

    object_id: int
    digest: str
    this_run: bool  # imported (created, linked or updated) by this very import
    record_id: int  # the ExternalRecord's own id


@dataclass(frozen=True)
class JourneyRef:
    journey_id: int
    stage_id: int
    account_id: int
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Person:
    user_id: int
    member_id: int | None
    name: str


def chunks[T](items: list[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class ImportContext:
    report: ImportReport
    now: dt.datetime  # when things happened that the files do not date
    stamp: dt.datetime  # this run's mark on the external records it writes
    stages: dict[str, Stage] = field(default_factory=dict)
    refused: dict[tuple[str, str], dict[str, tuple[str, int]]] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    # journey id → (when, stage key, outcome reason) of its latest dated stage change imported
    latest_stage: dict[int, tuple[dt.datetime, str, str]] = field(default_factory=dict)
    first_touch: dict[int, dt.datetime] = field(default_factory=dict)
    seats: dict[tuple[int, int, int], bool] = field(
        default_factory=dict
    )  # (journey, member, stage) → owned
    unknown_owners: int = 0
    matched: list[str] = field(default_factory=list)
    _people: dict[str, dict[str, Person]] | None = None
    _persons: dict[tuple[str, str], Person | None] = field(default_factory=dict)
    _accounts: AccountMatcher | None = None
    _contacts: ContactMatcher | None = None
    _journeys: dict[int, JourneyRef | None] = field(default_factory=dict)  # by account
    _by_id: dict[int, JourneyRef] = field(default_factory=dict)
    # journey id → its dated stage changes: (times, stage ids), in time order
    _timelines: dict[int, tuple[list[dt.datetime], list[int]]] = field(default_factory=dict)
    _refs: dict[tuple[str, str, str], int | None] = field(default_factory=dict)

    @classmethod
    def start(cls, report: ImportReport, now: dt.datetime, stamp: dt.datetime) -> "ImportContext":
        install_default_stages(Stage)
        context = cls(report, now, stamp)
        context.stages = {stage.key: stage for stage in Stage.objects.all()}
        return context

    @property
    def stage_data(self) -> Stages:
        outcomes = frozenset(key for key, stage in self.stages.items() if stage.is_outcome)
        return Stages({key: stage.name for key, stage in self.stages.items()}, outcomes)

    def team(self, mapping: Mapping) -> Team:
        if mapping.team not in self.teams:
            self.teams[mapping.team], _ = Team.objects.get_or_create(name=mapping.team[:100])
        return self.teams[mapping.team]

    # Refused rows -----------------------------------------------------------

    def refuse(self, file: str, line: int, problems: Iterable[Rejected]) -> None:
        for problem in problems:
            self.report.reject(file, line, problem.column, problem.value, problem.reason)

    def remember_refused(self, mapping: Mapping, external_id: str, file: str, line: int) -> None:
        if external_id:
            self.refused.setdefault((mapping.system, kind_of(mapping)), {}).setdefault(
                external_id, (file, line)
            )

    def remember_refused_opener(self, mapping: Mapping, account: str, file: str, line: int) -> None:
        """A refused journey or deal row would have opened its account's journey."""
        if account and mapping.entity.name in ("journey", "deal"):
            key = (mapping.references["account"].system, "opener")
            self.refused.setdefault(key, {}).setdefault(account, (file, line))

    def why_no_journey(self, reference: Reference, text: str) -> str:
        earlier = self.refused.get((reference.system, "opener"), {}).get(text)
        if earlier is not None:
            return (
                f"depends on {earlier[0]} line {earlier[1]}, which was refused"
                " (it would have opened the account's journey)"
            )
        return (
            "the account has no journey yet: import its journeys or deals first,"
            " or set open_journeys_in in the mapping"
        )

    def why_unresolved(self, reference: Reference, text: str) -> str:
        kind = KINDS.get(reference.name, reference.name)
        earlier = self.refused.get((reference.system, kind), {}).get(text)
        if earlier is not None:
            return f"depends on {kind} {text!r} ({earlier[0]} line {earlier[1]}), which was refused"
        return f"no {kind} with this {reference.system} id in the files or the database"

    # External ids -----------------------------------------------------------

    def lookup(self, system: str, kind: str, external_ids: Iterable[str]) -> dict[str, Found]:
        """The records these ids already became, in chunks of queries."""
        found: dict[str, Found] = {}
        # Plain SQL: the ORM's work on thousands of parameters costs more than the query.
        # As the driver gives it back: aware (PostgreSQL), naive UTC (SQLite's
        # converter), or text.
        naive = self.stamp.astimezone(dt.UTC).replace(tzinfo=None)
        stamps = (self.stamp, naive, connection.ops.adapt_datetimefield_value(self.stamp))
        with connection.cursor() as cursor:
            for chunk in chunks(sorted(set(external_ids))):
                sql, params = _lookup_sql(system, kind, chunk)
                cursor.execute(sql, params)
                for record_id, external_id, object_id, digest, imported_at in cursor.fetchall():
                    found[external_id] = Found(object_id, digest, imported_at in stamps, record_id)
        return found

    def resolve(self, reference: Reference, texts: Iterable[str]) -> dict[str, int]:
        """Object ids of the records the texts name by external id (cached)."""
        kind = KINDS[reference.name]
        wanted = {
            text for text in texts if text and (reference.system, kind, text) not in self._refs
        }
        if wanted:
            found = self.lookup(reference.system, kind, wanted)
            for text in wanted:
                self._refs[(reference.system, kind, text)] = (
                    found[text].object_id if text in found else None
                )
        resolved = {}
        for text in texts:
            object_id = self._refs.get((reference.system, kind, text))
            if object_id is not None:
                resolved[text] = object_id
        return resolved

    def remember(self, system: str, kind: str, external_id: str, object_id: int) -> None:
        self._refs[(system, kind, external_id)] = object_id

    # Journeys ---------------------------------------------------------------

    def journeys_of_accounts(self, account_ids: Iterable[int]) -> dict[int, JourneyRef]:
        """Each account's current journey: the open one, else the latest closed one."""
        wanted = [account_id for account_id in set(account_ids) if account_id not in self._journeys]
        for chunk in chunks(wanted):
            rows = (
                Journey.objects.filter(account_id__in=chunk)
                .order_by("account_id", F("closed_at").desc(nulls_first=True), "-id")
                .values_list("account_id", "id", "stage_id", "closed_at")
            )
            for account_id, journey_id, stage_id, closed_at in rows:
                if self._journeys.get(account_id) is None:
                    self._journeys[account_id] = JourneyRef(
                        journey_id, stage_id, account_id, closed_at
                    )
            for account_id in chunk:
                self._journeys.setdefault(account_id, None)
        return {
            account_id: ref
            for account_id in set(account_ids)
            if (ref := self._journeys.get(account_id)) is not None
        }

    def journeys_by_id(self, journey_ids: Iterable[int]) -> dict[int, JourneyRef]:
        """The journeys of these ids (cached: their stage is the one they had when first asked)."""
        wanted = sorted({journey_id for journey_id in journey_ids if journey_id not in self._by_id})
        for chunk in chunks(wanted):
            rows = Journey.objects.filter(id__in=chunk).values_list(
                "id", "stage_id", "account_id", "closed_at"
            )
            for journey_id, stage_id, account_id, closed_at in rows:
                self._by_id[journey_id] = JourneyRef(journey_id, stage_id, account_id, closed_at)
        return {
            journey_id: self._by_id[journey_id]
            for journey_id in journey_ids
            if journey_id in self._by_id
        }

    def journeys_of_deals(self, deal_ids: Iterable[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in chunks(sorted(set(deal_ids))):
            found |= dict(Deal.objects.filter(id__in=chunk).values_list("id", "journey_id"))
        return found

    def journey_opened(self, ref: JourneyRef) -> None:
        current = self._journeys.get(ref.account_id)
        if current is None or ref.is_open or not current.is_open:
            self._journeys[ref.account_id] = ref
        self._by_id[ref.journey_id] = ref

    def stage_changed(self, journey_id: int, at: dt.datetime | None, key: str, reason: str) -> None:
        """Remember the latest dated stage change of a journey, to settle its stage at the end."""
        if at is None:
            return
        timeline = self._timelines.get(journey_id)
        if timeline is not None:
            index = bisect.bisect_right(timeline[0], at)
            timeline[0].insert(index, at)
            timeline[1].insert(index, self.stages[key].pk)
        latest = self.latest_stage.get(journey_id)
        if latest is None or at >= latest[0]:
            self.latest_stage[journey_id] = (at, key, reason)

    def seat(
        self, journey_id: int, member_id: int | None, stage_id: int, *, owned: bool = False
    ) -> None:
        if member_id is not None:
            key = (journey_id, member_id, stage_id)
            self.seats[key] = self.seats.get(key, False) or owned

    def stages_at(
        self, journeys: Iterable[JourneyRef], moments: Iterable[dt.datetime]
    ) -> list[int]:
        """The stage each journey stood in at each moment, from its dated stage
        changes (before the first one, that first stage); its current stage
        when it has none."""
        journeys, moments = list(journeys), list(moments)
        self._load_timelines(journey.journey_id for journey in journeys)
        stages = []
        for journey, at in zip(journeys, moments, strict=True):
            times, stage_ids = self._timelines[journey.journey_id]
            if not times:
                stages.append(journey.stage_id)
            else:
                stages.append(stage_ids[max(bisect.bisect_right(times, at) - 1, 0)])
        return stages

    def _load_timelines(self, journey_ids: Iterable[int]) -> None:
        wanted = sorted(
            {journey_id for journey_id in journey_ids if journey_id not in self._timelines}
        )
        for chunk in chunks(wanted):
            for journey_id in chunk:
                self._timelines[journey_id] = ([], [])
            rows = (
                JourneyEvent.objects.filter(
                    journey_id__in=chunk, kind=EventKind.STAGE_ENTERED, occurred_at__isnull=False
                )
                .order_by("journey_id", "occurred_at", "id")
                .values_list("journey_id", "occurred_at", "stage_id")
            )
            for journey_id, at, stage_id in rows:
                if at is not None:
                    self._timelines[journey_id][0].append(at)
                    self._timelines[journey_id][1].append(stage_id)

    def touched(self, journey_id: int, at: dt.datetime) -> None:
        first = self.first_touch.get(journey_id)
        if first is None or at < first:
            self.first_touch[journey_id] = at

    # Matching -----------------------------------------------------------------

    @property
    def accounts(self) -> AccountMatcher:
        if self._accounts is None:
            self._accounts = AccountMatcher.of(
                Account.objects.order_by("id").values_list("id", "name", "domain").iterator()
            )
        return self._accounts

    @property
    def contacts(self) -> ContactMatcher:
        if self._contacts is None:
            self._contacts = ContactMatcher.of(
                Contact.objects.exclude(email="")
                .order_by("id")
                .values_list("id", "email")
                .iterator()
            )
        return self._contacts

    def note_match(self, file: str, line: int, what: str) -> None:
        self.matched.append(f"{file}:{line}: {what}")

    # People -------------------------------------------------------------------

    def person(self, reference: Reference, text: str) -> Person | None:
        """The user (and member) a cell names by email, username or full name."""
        key = (reference.by, text)
        if key not in self._persons:
            self._persons[key] = self._find_person(reference, text)
        return self._persons[key]

    def _find_person(self, reference: Reference, text: str) -> Person | None:
        if self._people is None:
            self._people = {"email": {}, "username": {}, "name": {}}
            members = dict(Member.objects.values_list("user_id", "id"))
            users = (
                get_user_model()
                .objects.order_by("id")
                .values_list("id", "username", "email", "first_name", "last_name")
            )
            for user_id, username, email, first, last in users:
                person = Person(
                    user_id, members.get(user_id), f"{first} {last}".strip() or username
                )
                for lookup, key in (
                    ("email", email),
                    ("username", username),
                    ("name", f"{first} {last}"),
                ):
                    if key.strip():
                        self._people[lookup].setdefault(" ".join(key.casefold().split()), person)
        return self._people[reference.by].get(" ".join(text.casefold().split()))


def _lookup_sql(system: str, kind: str, chunk: list[str]) -> tuple[str, list[Any]]:
    """A query for the external records of these ids. On PostgreSQL, one probe
    of the unique index per id: with `external_id IN (…)` the planner, whose
    statistics cannot know the rows this very transaction has added, would
    read every record of the kind and filter them, slower at every batch."""
    table = connection.ops.quote_name(ExternalRecord._meta.db_table)
    columns = "id, external_id, object_id, digest, imported_at"
    if connection.vendor == "postgresql":
        return (
            f"SELECT record.{columns.replace(', ', ', record.')}"
            " FROM unnest(%s::text[]) AS wanted (external_id) CROSS JOIN LATERAL"
            f" (SELECT {columns} FROM {table} WHERE system = %s AND kind = %s"
            " AND external_id = wanted.external_id LIMIT 1) AS record",
            [chunk, system, kind],
        )
    marks = ", ".join(["%s"] * len(chunk))
    return (
        f"SELECT {columns} FROM {table}"
        f" WHERE system = %s AND kind = %s AND external_id IN ({marks})",
        [system, kind, *chunk],
    )


def kind_of(mapping: Mapping) -> str:
    """The kind of external record a mapping's rows become."""
    return "stage_change" if mapping.entity.name == "stage_history" else mapping.entity.name


def describe(value: Any) -> Any:
    """A value as an event payload keeps it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
