"""Interactions, tickets and stage history: the files that run to millions
of rows (contacts too: csv_customers). Each batch is checked against what was imported before,
given ids in one block, and inserted in bulk with its journey events (the
same kinds and payloads the services write); memory holds one batch."""

from json.encoder import encode_basestring_ascii
from typing import Any

from onethread.customers.models import Account, Contact
from onethread.imports.bulk import BulkTable, allocate_ids, driver_value
from onethread.imports.csv_context import JourneyRef, Person
from onethread.imports.csv_journeys import (
    EVENT_FIELDS,
    EVENT_FIELDS_WITH_ID,
    Opening,
    open_journey,
    precision,
)
from onethread.imports.csv_writer import Pair, Writer
from onethread.imports.values import Moment
from onethread.interactions.models import Interaction
from onethread.journeys.events import apply_changes
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.support.models import Ticket

SUMMARY_IN_EVENT = 500
LOGGED = EventKind.INTERACTION_LOGGED.value


def logged_payload(
    interaction_id: int, channel: str, direction: str, summary: str, contacts: list[str]
) -> dict[str, Any]:
    """The payload log_interaction writes."""
    return {
        "interaction_id": interaction_id,
        "channel": channel,
        "direction": direction,
        "summary": summary[:SUMMARY_IN_EVENT],
        "contacts": contacts,
    }


def logged_json(
    interaction_id: int, channel: str, direction: str, summary: str, contacts: list[str]
) -> str:
    """logged_payload as the database stores it (the JSON BulkTable writes,
    character for character), written directly: the import's commonest row."""
    quote = encode_basestring_ascii
    names = ",".join([quote(name) for name in contacts]) if contacts else ""
    return (
        f'{{"interaction_id":{int(interaction_id)},"channel":{quote(channel)},'
        f'"direction":{quote(direction)},"summary":{quote(summary[:SUMMARY_IN_EVENT])},'
        f'"contacts":[{names}]}}'
    )


class BulkWriter(Writer):
    batch_size = 5000

    def journeys(self, pairs: list[Pair], time_field: str) -> dict[int, JourneyRef]:
        """The journey of each new row (by line); rows without one are refused,
        unless the mapping opens journeys for accounts that have none."""
        parents = self.parents([pair for pair in pairs if pair[1] is None])
        for row, found in pairs:
            if found is not None or row.line in parents:
                continue
            stage = self.mapping.open_journeys_in
            account = (
                self.context.resolve(
                    self.mapping.references["account"], [row.refs.get("account", "")]
                )
                if (
                    stage
                    and "account" in self.mapping.references
                    and row.refs.get("account")
                    and not row.refs.get("journey")
                )
                else {}
            )
            if not account:
                self.refuse_orphan(row)
                continue
            account_id = next(iter(account.values()))
            name = Account.objects.values_list("name", flat=True).get(pk=account_id)
            opening = Opening(account_id, name, row.values[time_field], stage)
            parents[row.line] = open_journey(
                self.context, self.events, opening, self.context.team(self.mapping).pk, self.system
            )
            self.context.report.created["journeys"] += 1
        return parents

    def people(self, pairs: list[Pair]) -> dict[int, Person | None]:
        """The owner of each row (by line); None when a row was refused for naming nobody known."""
        owners: dict[int, Person | None] = {}
        for row, found in pairs:
            if found is None:
                person, ok = self.owner(row)
                if not ok:
                    continue
                owners[row.line] = person
        return owners


class InteractionWriter(BulkWriter):
    """The largest files of all: each row's values are converted for the
    database once, and shared by the interaction and its event."""

    FIELDS = ["id", "journey_id", "channel", "direction", "summary", "occurred_at", "stage_id"]
    FIELDS += ["logged_by_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = BulkTable(Interaction, self.FIELDS)
        self.logged = BulkTable(JourneyEvent, EVENT_FIELDS)
        self.links = BulkTable(Interaction.contacts.through, ["interaction_id", "contact_id"])
        self.contact_names: dict[int, str] = {}
        self.to_db_time = driver_value(Interaction._meta.get_field("occurred_at"))
        self.to_db_json = driver_value(JourneyEvent._meta.get_field("payload"))

    def handle(self, pairs: list[Pair]) -> None:
        self._updates(pairs)
        journeys = self.journeys(pairs, "occurred_at")
        owners = self.people(pairs)
        contacts = self._contacts(pairs)
        fresh = [
            row
            for row, found in pairs
            if found is None and row.line in journeys and row.line in owners
        ]
        context, system, kind = self.context, self.system, self.kind
        # Each journey's interactions together and in time order: the indexes
        # that begin with the journey are then written page after page.
        ordered = sorted(
            fresh, key=lambda row: (journeys[row.line].journey_id, row.values["occurred_at"].at)
        )
        stages = context.stages_at(
            (journeys[row.line] for row in ordered),
            (row.values["occurred_at"].at for row in ordered),
        )
        to_db_time, to_db_json, names = self.to_db_time, self.to_db_json, self.contact_names
        recorded = to_db_time(context.now)
        rows, events, links, made = [], [], [], {}
        ids = allocate_ids(Interaction, len(fresh))
        for row, interaction_id, stage_id in zip(ordered, ids, stages, strict=True):
            values, journey, person = row.values, journeys[row.line], owners[row.line]
            moment: Moment = values["occurred_at"]
            journey_id, at = journey.journey_id, to_db_time(moment.at)
            user_id = person.user_id if person else None
            contact_id = contacts.get(row.line)
            channel, direction, summary = values["channel"], values["direction"], values["summary"]
            rows.append(
                (interaction_id, journey_id, channel, direction, summary, at, stage_id, user_id)
            )
            contact = [names[contact_id]] if contact_id else []
            if row.attributes or not moment.precise:
                payload = logged_payload(interaction_id, channel, direction, summary, contact)
                payload |= {"attributes": row.attributes} if row.attributes else {}
                payload |= {} if moment.precise else {"precision": "day"}
                text = to_db_json(payload)
            else:
                text = logged_json(interaction_id, channel, direction, summary, contact)
            events.append((journey_id, LOGGED, stage_id, user_id, at, recorded, text))
            if contact_id:
                links.append((interaction_id, contact_id))
            context.touched(journey_id, moment.at)
            if person is not None:
                context.seat(journey_id, person.member_id, stage_id)
            made[row.line] = interaction_id
        # External ids in the file's order (often the order of the ids themselves).
        for row in fresh:
            self.records.append(
                (system, kind, row.external_id, made[row.line], row.digest, self.stamp)
            )
        self.events.flush()  # journeys opened for these rows: their events come first
        self.table.insert(rows, prepared=True)
        self.logged.insert(events, prepared=True)
        self.links.insert(links)
        context.report.created["interactions"] += len(rows)

    def _contacts(self, pairs: list[Pair]) -> dict[int, int]:
        """The contact each row names (by line), by external id or email."""
        reference = self.mapping.references.get("contact")
        if reference is None:
            return {}
        texts = {row.line: row.refs.get("contact", "") for row, found in pairs if found is None}
        if reference.by == "email":
            found_ids = {
                text: self.context.contacts.find(text) for text in set(texts.values()) if text
            }
            ids = {
                text: contact_id for text, contact_id in found_ids.items() if contact_id is not None
            }
        else:
            ids = self.context.resolve(reference, texts.values())
        unnamed = [
            contact_id for contact_id in ids.values() if contact_id not in self.contact_names
        ]
        if unnamed:
            self.contact_names |= dict(
                Contact.objects.filter(id__in=unnamed).values_list("id", "name")
            )
        return {line: ids[text] for line, text in texts.items() if text in ids}

    def _updates(self, pairs: list[Pair]) -> None:
        for row, found in pairs:
            if found is None:
                continue
            if found.digest == row.digest:
                self.context.report.unchanged["interactions"] += 1
                continue
            interaction = Interaction.objects.get(pk=found.object_id)
            values = row.values
            changes = apply_changes(
                interaction,
                {
                    "channel": values["channel"],
                    "direction": values["direction"],
                    "summary": values["summary"],
                    "occurred_at": values["occurred_at"].at,
                },
            )
            if changes:
                interaction.save()
                self.events.add(
                    interaction.journey_id,
                    EventKind.INTERACTION_CHANGED,
                    interaction.stage_id,
                    self.context.now,
                    {
                        "interaction_id": interaction.pk,
                        "changes": changes,
                        "imported_from": self.system,
                    },
                )
                self.context.touched(interaction.journey_id, values["occurred_at"].at)
                self.context.report.updated["interactions"] += 1
            self.record_digest(row)


class TicketWriter(BulkWriter):
    FIELDS = [
        "id",
        "journey_id",
        "subject",
        "priority",
        "status",
        "opened_at",
        "resolved_at",
        "opened_by_id",
        "version",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = BulkTable(Ticket, self.FIELDS)

    def handle(self, pairs: list[Pair]) -> None:
        self._updates(pairs)
        journeys = self.journeys(pairs, "opened_at")
        owners = self.people(pairs)
        fresh = [
            row
            for row, found in pairs
            if found is None and row.line in journeys and row.line in owners
        ]
        rows = []
        stages = self.context.stages_at(
            (journeys[row.line] for row in fresh), (row.values["opened_at"].at for row in fresh)
        )
        ids = allocate_ids(Ticket, len(fresh))
        for row, ticket_id, stage_id in zip(fresh, ids, stages, strict=True):
            values, journey, person = row.values, journeys[row.line], owners[row.line]
            opened, resolved = values["opened_at"], values.get("resolved_at")
            status = values.get("status") or (
                Ticket.Status.RESOLVED if resolved else Ticket.Status.OPEN
            )
            priority = values.get("priority", Ticket.Priority.NORMAL)
            user_id = person.user_id if person else None
            resolved_at = resolved.at if resolved and status == Ticket.Status.RESOLVED else None
            rows.append(
                (
                    ticket_id,
                    journey.journey_id,
                    values["subject"],
                    priority,
                    status,
                    opened.at,
                    resolved_at,
                    user_id,
                    1,
                )
            )
            payload: dict[str, Any] = {
                "ticket_id": ticket_id,
                "subject": values["subject"],
                "category": None,
                "priority": Ticket.Priority(priority).label,
                **precision(opened),
            }
            if row.attributes:
                payload["attributes"] = row.attributes
            self.events.add(
                journey.journey_id,
                EventKind.TICKET_OPENED,
                stage_id,
                opened.at,
                payload,
                user_id,
            )
            if status == Ticket.Status.RESOLVED:
                self.events.add(
                    journey.journey_id,
                    EventKind.TICKET_CHANGED,
                    stage_id,
                    resolved_at,
                    {
                        "ticket_id": ticket_id,
                        "subject": values["subject"],
                        "changes": {
                            "status": [Ticket.Status.OPEN, Ticket.Status.RESOLVED],
                            "resolved_at": [None, resolved_at.isoformat() if resolved_at else None],
                        },
                        **precision(resolved),
                    },
                    user_id,
                )
            if person is not None:
                self.context.seat(journey.journey_id, person.member_id, stage_id)
            self.records.append(
                (self.system, self.kind, row.external_id, ticket_id, row.digest, self.stamp)
            )
        self.table.insert(rows)
        self.context.report.created["tickets"] += len(rows)

    def _updates(self, pairs: list[Pair]) -> None:
        for row, found in pairs:
            if found is None:
                continue
            if found.digest == row.digest:
                self.context.report.unchanged["tickets"] += 1
                continue
            ticket = Ticket.objects.select_related("journey").get(pk=found.object_id)
            values, resolved = row.values, row.values.get("resolved_at")
            new: dict[str, Any] = {
                "subject": values["subject"],
                "opened_at": values["opened_at"].at,
            }
            new |= {name: values[name] for name in ("priority", "status") if name in values}
            if resolved is not None:
                new["resolved_at"] = resolved.at
                new.setdefault("status", Ticket.Status.RESOLVED)
            changes = apply_changes(ticket, new)
            if changes:
                ticket.version += 1
                ticket.save()
                self.events.add(
                    ticket.journey_id,
                    EventKind.TICKET_CHANGED,
                    ticket.journey.stage_id,
                    self.context.now,
                    {
                        "ticket_id": ticket.pk,
                        "subject": ticket.subject,
                        "changes": changes,
                        "imported_from": self.system,
                    },
                )
                self.context.report.updated["tickets"] += 1
            self.record_digest(row)


class StageHistoryWriter(BulkWriter):
    """Long stage history: one row per stage change (Salesforce's OpportunityHistory)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = BulkTable(JourneyEvent, EVENT_FIELDS_WITH_ID)
        self.last_stage: dict[int, str] = {}
        self.repeats = 0

    def handle(self, pairs: list[Pair]) -> None:
        parents, deals = self._parents(pairs)
        owners = self.people(pairs)
        fresh = []
        for row, found in pairs:
            journey = parents.get(row.line)
            if found is not None:
                self.context.report.unchanged["stage changes"] += 1
                if found.digest != row.digest:
                    self.record_digest(row)
                if journey is not None:
                    self.last_stage[journey.journey_id] = row.values["stage"]
                continue
            if journey is None:
                if row.refs.get("deal"):
                    self.refuse_reference(row, "deal")
                else:
                    self.refuse_orphan(row)
                continue
            if row.line not in owners:
                continue
            key = row.values["stage"]
            if self.last_stage.get(journey.journey_id) == key:
                # The same stage as the row before: an amount or a date changed, not the stage.
                self.repeats += 1
                continue
            self.last_stage[journey.journey_id] = key
            fresh.append((row, journey))
        rows = []
        for (row, journey), event_id in zip(
            fresh, allocate_ids(JourneyEvent, len(fresh)), strict=True
        ):
            key, moment = row.values["stage"], row.values.get("occurred_at")
            stage = self.context.stages[key]
            person = owners[row.line]
            payload: dict[str, Any] = {"to": key, **precision(moment), "imported_from": self.system}
            reason = row.reasons.get(key, "")
            if stage.is_outcome and reason:
                payload["reason"] = reason
            if row.line in deals:
                payload["deal_id"] = deals[row.line]
            if row.attributes:
                payload["attributes"] = row.attributes
            at = moment.at if moment else None
            rows.append(
                (
                    event_id,
                    journey.journey_id,
                    EventKind.STAGE_ENTERED,
                    stage.pk,
                    person.user_id if person else None,
                    at,
                    self.context.now,
                    payload,
                )
            )
            self.context.stage_changed(journey.journey_id, at, key, reason)
            self.records.append(
                (self.system, self.kind, row.external_id, event_id, row.digest, self.stamp)
            )
        self.table.insert(rows)
        self.context.report.created["stage changes"] += len(rows)

    def _parents(self, pairs: list[Pair]) -> tuple[dict[int, JourneyRef], dict[int, int]]:
        """Each row's journey, through its deal or journey reference; and its deal."""
        reference = self.mapping.references.get("deal")
        if reference is None:
            return self.parents(pairs), {}
        texts = {row.line: row.refs.get("deal", "") for row, _ in pairs}
        deal_ids = self.context.resolve(reference, texts.values())
        deal_journeys = self.context.journeys_of_deals(deal_ids.values())
        journeys = self.context.journeys_by_id(deal_journeys.values())
        parents, deals = {}, {}
        for line, text in texts.items():
            deal_id = deal_ids.get(text)
            if deal_id is not None and deal_journeys.get(deal_id) in journeys:
                parents[line], deals[line] = journeys[deal_journeys[deal_id]], deal_id
        if "journey" in self.mapping.references:
            parents = self.parents(pairs) | parents
        return parents, deals

    def finish(self) -> None:
        super().finish()
        if self.repeats:
            self.context.report.notes.append(
                f"{self.file}: {self.repeats:,} row(s) leave their journey in the stage the row"
                " before put it in (the same stage here): no stage change recorded for them."
            )
