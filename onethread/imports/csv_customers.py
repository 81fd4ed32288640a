"""Accounts and contacts. An account that already exists under another id
(same domain, same normalised name) and a contact that already exists (same
email) are linked instead of copied; a row seen before updates its record in
place and tells the change on the journey's timeline. Accounts are few and
written one at a time; contacts run to millions and are written in bulk."""

from typing import Any

from onethread.customers.models import Account, Contact
from onethread.imports.bulk import BulkTable, allocate_ids
from onethread.imports.csv_bulk import BulkWriter
from onethread.imports.csv_rows import ParsedRow
from onethread.imports.csv_writer import Pair, Writer
from onethread.imports.values import Moment
from onethread.journeys.events import apply_changes
from onethread.journeys.models import EventKind


class AccountWriter(Writer):
    FIELDS = ("name", "domain", "segment", "employees")

    def handle(self, pairs: list[Pair]) -> None:
        for row, found in pairs:
            if found is not None:
                self._update(row, found.object_id, found.digest)
                continue
            values = row.values
            match = self.context.accounts.find(values["name"], values.get("domain", ""))
            if match is not None:
                self.record(row, match[0])
                self.context.note_match(
                    self.file,
                    row.line,
                    f"account {values['name']!r} matched an existing account by {match[1]}",
                )
                self._update(row, match[0], "", fill_only=True)
                continue
            created = values.get("created_at")
            account = Account.objects.create(
                name=values["name"],
                domain=values.get("domain", ""),
                segment=values.get("segment", ""),
                employees=values.get("employees"),
                attributes=row.attributes,
                created_at=created.at if created else self.context.now,
            )
            self.context.accounts.add(account.pk, account.name, account.domain)
            self.record(row, account.pk)
            self.context.report.created["accounts"] += 1

    def _update(
        self, row: ParsedRow, account_id: int, stored: str, *, fill_only: bool = False
    ) -> None:
        if stored == row.digest:
            self.context.report.unchanged["accounts"] += 1
            return
        account = Account.objects.get(pk=account_id)
        new: dict[str, Any] = {name: row.values[name] for name in self.FIELDS if name in row.values}
        if fill_only:  # a match fills what the existing account lacks
            new = {
                name: value for name, value in new.items() if getattr(account, name) in ("", None)
            }
            new["attributes"] = row.attributes | account.attributes
        else:
            new["attributes"] = account.attributes | row.attributes
        changes = apply_changes(account, new)
        if not fill_only:
            self.record_digest(row)
        if not changes:
            self.context.report.unchanged["accounts"] += 1
            return
        account.version += 1
        account.save()
        journey = self.context.journeys_of_accounts([account.pk]).get(account.pk)
        if journey is not None:
            self.events.add(
                journey.journey_id,
                EventKind.ACCOUNT_CHANGED,
                journey.stage_id,
                self.context.now,
                {"changes": changes, "imported_from": self.system},
            )
        self.context.report.updated["accounts"] += 1


class ContactWriter(BulkWriter):
    FIELDS = [
        "id",
        "account_id",
        "name",
        "email",
        "phone",
        "title",
        "buying_role",
        "is_active",
        "attributes",
        "created_at",
        "version",
    ]
    CHANGEABLE = ("name", "email", "phone", "title", "buying_role", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = BulkTable(Contact, self.FIELDS)

    def handle(self, pairs: list[Pair]) -> None:
        accounts = self._accounts(pairs)
        fresh: list[tuple[ParsedRow, int]] = []
        for row, found in pairs:
            if found is not None:
                self._update(row, found.object_id, found.digest)
                continue
            if row.line not in accounts:
                continue
            email = row.values.get("email", "")
            existing = self.context.contacts.find(email) if email else None
            if existing is not None:
                self.record(row, existing)
                self.context.note_match(
                    self.file,
                    row.line,
                    f"the contact {email!r} matched an existing contact by email",
                )
                self._update(row, existing, "", fill_only=True)
                continue
            fresh.append((row, accounts[row.line]))
        self._create(fresh)

    def _accounts(self, pairs: list[Pair]) -> dict[int, int]:
        reference = self.mapping.references.get("account")
        texts = [row.refs.get("account", "") for row, found in pairs if found is None]
        resolved = self.context.resolve(reference, texts) if reference else {}
        accounts: dict[int, int] = {}
        for row, found in pairs:
            if found is not None:
                continue
            text = row.refs.get("account", "")
            if text in resolved:
                accounts[row.line] = resolved[text]
            else:
                account = self.account_for(row)
                if account is not None:
                    accounts[row.line] = account[0]
        return accounts

    def _create(self, fresh: list[tuple[ParsedRow, int]]) -> None:
        journeys = self.context.journeys_of_accounts(account_id for _, account_id in fresh)
        rows = []
        for (row, account_id), contact_id in zip(
            fresh, allocate_ids(Contact, len(fresh)), strict=True
        ):
            values = row.values
            name = contact_name(values)
            created: Moment | None = values.get("created_at")
            at = created.at if created else self.context.now
            rows.append(
                (
                    contact_id,
                    account_id,
                    name,
                    values.get("email", ""),
                    values.get("phone", ""),
                    values.get("title", ""),
                    values.get("buying_role", "other"),
                    values.get("is_active", True),
                    row.attributes,
                    at,
                    1,
                )
            )
            self.context.contacts.add(contact_id, values.get("email", ""))
            journey = journeys.get(account_id)
            if journey is not None:
                self.events.add(
                    journey.journey_id,
                    EventKind.CONTACT_ADDED,
                    journey.stage_id,
                    at,
                    {
                        "contact_id": contact_id,
                        "name": name,
                        "buying_role": values.get("buying_role", "other"),
                        "title": values.get("title", ""),
                    },
                )
            self.records.append(
                (
                    self.system,
                    self.kind,
                    row.external_id,
                    contact_id,
                    row.digest,
                    self.stamp,
                )
            )
        self.table.insert(rows)
        self.context.report.created["contacts"] += len(rows)

    def _update(
        self, row: ParsedRow, contact_id: int, stored: str, *, fill_only: bool = False
    ) -> None:
        if stored == row.digest:
            self.context.report.unchanged["contacts"] += 1
            return
        contact = Contact.objects.get(pk=contact_id)
        values = row.values | {"name": contact_name(row.values)}
        new: dict[str, Any] = {
            name: values[name] for name in self.CHANGEABLE if values.get(name) not in (None, "")
        }
        if fill_only:
            new = {
                name: value for name, value in new.items() if getattr(contact, name) in ("", None)
            }
        new["attributes"] = (
            (row.attributes | contact.attributes)
            if fill_only
            else (contact.attributes | row.attributes)
        )
        changes = apply_changes(contact, new)
        if not fill_only:
            self.record_digest(row)
        if not changes:
            self.context.report.unchanged["contacts"] += 1
            return
        contact.version += 1
        contact.save()
        journey = self.context.journeys_of_accounts([contact.account_id]).get(contact.account_id)
        if journey is not None:
            self.events.add(
                journey.journey_id,
                EventKind.CONTACT_CHANGED,
                journey.stage_id,
                self.context.now,
                {
                    "contact_id": contact.pk,
                    "name": contact.name,
                    "changes": changes,
                    "imported_from": self.system,
                },
            )
        self.context.report.updated["contacts"] += 1


def contact_name(values: dict[str, Any]) -> str:
    name = values.get("name") or " ".join(
        part for part in (values.get("first_name"), values.get("last_name")) if part
    )
    return str(name)[:200]
