"""What every CSV writer does: find which rows were imported before (and
which repeat an id of the same file), refuse a row saying why, remember the
external ids it wrote, and write its events. One subclass per entity."""

from collections.abc import Callable
from typing import Any

from onethread.customers.models import Account
from onethread.imports.bulk import BulkTable, driver_value
from onethread.imports.csv_context import Found, ImportContext, JourneyRef, Person, chunks, kind_of
from onethread.imports.csv_journeys import Events
from onethread.imports.csv_rows import ParsedRow
from onethread.imports.files import Table, UnreadableFile
from onethread.imports.mapping import Mapping
from onethread.imports.models import ExternalRecord
from onethread.imports.report import Rejected

RECORD_FIELDS = ["system", "kind", "external_id", "object_id", "digest", "imported_at"]
Pair = tuple[ParsedRow, Found | None]


class Writer:
    batch_size = 500

    def __init__(
        self, context: ImportContext, mapping: Mapping, file: str, reopen: Callable[[], Table]
    ) -> None:
        self.context = context
        self.mapping = mapping
        self.system = mapping.system
        self.kind = kind_of(mapping)
        self.file = file
        self.reopen = reopen
        self.events = Events(context.now)
        self.records: list[tuple[Any, ...]] = []
        self.record_table = BulkTable(ExternalRecord, RECORD_FIELDS)
        # Records are written prepared: their one time, this run's stamp, converted once.
        self.stamp = driver_value(ExternalRecord._meta.get_field("imported_at"))(context.stamp)
        self.duplicates: list[tuple[int, str]] = []
        self.label = (
            mapping.entity.name + "s" if mapping.entity.name != "stage_history" else "stage changes"
        )

    # The batch loop -----------------------------------------------------------

    def write(self, batch: list[ParsedRow]) -> None:
        pairs = self._dedupe(batch)
        if pairs:
            self.handle(pairs)
        self.flush()

    def handle(self, pairs: list[Pair]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        self.events.flush()
        if self.records:
            self.record_table.insert(self.records, prepared=True)
            self.records = []

    def _dedupe(self, batch: list[ParsedRow]) -> list[Pair]:
        """Pair each row with what its id became before; set aside rows whose
        id this import has already seen (an earlier line, or an earlier file)."""
        existing = self.context.lookup(self.system, self.kind, (row.external_id for row in batch))
        refused_here = {
            external_id
            for external_id, (file, _) in self.context.refused.get(
                (self.system, self.kind), {}
            ).items()
            if file == self.file
        }
        seen: set[str] = set()
        pairs: list[Pair] = []
        for row in batch:
            found = existing.get(row.external_id)
            if (
                row.external_id in seen
                or (found and found.this_run)
                or row.external_id in refused_here
            ):
                self.duplicates.append((row.line, row.external_id))
                continue
            seen.add(row.external_id)
            pairs.append((row, found))
        self._mark_seen([found.record_id for _, found in pairs if found is not None])
        return pairs

    def _mark_seen(self, record_ids: list[int]) -> None:
        """Ids found again are stamped as seen by this import, so that a later
        line repeating one is caught as a repeat."""
        for chunk in chunks(record_ids):
            ExternalRecord.objects.filter(id__in=chunk).update(imported_at=self.context.stamp)

    # Helpers for subclasses ---------------------------------------------------------

    def refuse(self, row: ParsedRow, column: str, value: str | None, reason: str) -> None:
        self.context.refuse(self.file, row.line, [Rejected(column, value, reason)])
        self.context.remember_refused(self.mapping, row.external_id, self.file, row.line)
        account = row.refs.get("account", "")
        self.context.remember_refused_opener(self.mapping, account, self.file, row.line)

    def refuse_reference(self, row: ParsedRow, name: str) -> None:
        reference = self.mapping.references[name]
        text = row.refs.get(name, "")
        self.refuse(row, reference.column, text, self.context.why_unresolved(reference, text))

    def record(
        self,
        row: ParsedRow,
        object_id: int,
        kind: str | None = None,
        external_id: str | None = None,
    ) -> None:
        self.records.append(
            (
                self.system,
                kind or self.kind,
                external_id or row.external_id,
                object_id,
                row.digest,
                self.stamp,
            )
        )
        if kind is None:
            self.context.remember(self.system, self.kind, row.external_id, object_id)

    def record_digest(self, row: ParsedRow) -> None:
        ExternalRecord.objects.filter(
            system=self.system, kind=self.kind, external_id=row.external_id
        ).update(digest=row.digest)

    def owner(self, row: ParsedRow) -> tuple[Person | None, bool]:
        """The person the row's owner column names, and whether the row may go on."""
        reference = self.mapping.references.get("owner")
        text = row.refs.get("owner", "")
        if reference is None or not text:
            return None, True
        person = self.context.person(reference, text)
        if person is not None:
            return person, True
        if reference.unknown == "leave_empty":
            self.context.unknown_owners += 1
            return None, True
        self.refuse(row, reference.column, text, f"no user here with this {reference.by}")
        return None, False

    def parents(self, pairs: list[Pair]) -> dict[int, JourneyRef]:
        """The journey each row belongs to (by line), through its journey or
        account reference; rows naming neither are absent."""
        context, mapping = self.context, self.mapping
        result: dict[int, JourneyRef] = {}
        rows = [row for row, _ in pairs]
        if "journey" in mapping.references:
            ids = context.resolve(
                mapping.references["journey"], [row.refs.get("journey", "") for row in rows]
            )
            journeys = context.journeys_by_id(ids.values())
            for row in rows:
                journey_id = ids.get(row.refs.get("journey", ""))
                if journey_id is not None and journey_id in journeys:
                    result[row.line] = journeys[journey_id]
        if "account" in mapping.references:
            wanted = [row.refs.get("account", "") for row in rows if row.line not in result]
            accounts = context.resolve(mapping.references["account"], wanted)
            journeys = context.journeys_of_accounts(accounts.values())
            for row in rows:
                account_id = accounts.get(row.refs.get("account", ""))
                if row.line not in result and account_id in journeys:
                    result[row.line] = journeys[account_id]
        return result

    def refuse_orphan(self, row: ParsedRow) -> None:
        """A row whose journey cannot be found: say which reference failed."""
        references = self.mapping.references
        if "journey" in references and row.refs.get("journey"):
            self.refuse_reference(row, "journey")
        elif "account" in references and row.refs.get("account"):
            if self.context.resolve(references["account"], [row.refs["account"]]):
                reference, text = references["account"], row.refs["account"]
                self.refuse(
                    row, reference.column, text, self.context.why_no_journey(reference, text)
                )
            else:
                self.refuse_reference(row, "account")
        else:
            column = next((reference.column for reference in references.values()), "")
            self.refuse(
                row, column, "", "the row does not say which journey or account it belongs to"
            )

    def account_for(self, row: ParsedRow) -> tuple[int, str] | None:
        """The account a row names: by its reference, else by the name and
        domain it gives (matched to an existing account, or created)."""
        context, values = self.context, row.values
        text = row.refs.get("account", "")
        if text:
            found = context.resolve(self.mapping.references["account"], [text])
            if text not in found:
                self.refuse_reference(row, "account")
                return None
            return found[text], Account.objects.values_list("name", flat=True).get(pk=found[text])
        name, domain = values.get("account_name", ""), values.get("account_domain", "")
        match = context.accounts.find(name, domain)
        if match is not None:
            return match[0], Account.objects.values_list("name", flat=True).get(pk=match[0])
        account = Account.objects.create(name=name or domain, domain=domain, created_at=context.now)
        context.accounts.add(account.pk, account.name, account.domain)
        self.context.report.created["accounts"] += 1
        return account.pk, account.name

    def finish(self) -> None:
        """Report the rows that repeat an id, with the line where it first appears."""
        if not self.duplicates:
            return
        wanted = {external_id for _, external_id in self.duplicates}
        first: dict[str, int] = {}
        column = self.mapping.id_column
        if column is not None:
            try:
                for row in self.reopen().rows:
                    value = (row.values.get(column) or "").strip()
                    if value in wanted and value not in first:
                        first[value] = row.line
            except UnreadableFile:
                pass
        for line, external_id in self.duplicates:
            earlier = first.get(external_id)
            if column is None:
                reason = "repeated: the same row appears earlier in the file"
            elif earlier is not None and earlier < line:
                reason = f"repeated: the same id is on line {earlier}"
            else:
                reason = "repeated: this id was already imported from another file of this import"
            self.context.report.reject(
                self.file, line, column or "", external_id if column else "", reason
            )
