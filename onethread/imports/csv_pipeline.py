"""Journeys and deals: few rows, each written with the ORM one at a time,
with its events and stage history. A row seen before updates its record in
place and tells the change on the journey's timeline."""

import datetime as dt
from typing import Any

from onethread.customers.models import Contact
from onethread.deals.models import Deal
from onethread.imports.csv_context import JourneyRef
from onethread.imports.csv_journeys import Opening, open_journey, ordered, precision, stage_entries
from onethread.imports.csv_rows import ParsedRow
from onethread.imports.csv_writer import Pair, Writer
from onethread.imports.models import ExternalRecord
from onethread.imports.values import Moment
from onethread.journeys.events import apply_changes
from onethread.journeys.models import EventKind, Journey, Stage


def outcome_reason(
    context_stages: dict[str, Stage], key: str | None, row: ParsedRow, column: str
) -> str | None:
    """Why a journey ended in this outcome stage ("" when it is no outcome);
    None when the row and the mapping do not say."""
    if key is None or not context_stages[key].is_outcome:
        return ""
    return row.values.get(column) or row.reasons.get(key) or None


class JourneyWriter(Writer):
    def handle(self, pairs: list[Pair]) -> None:
        team = self.context.team(self.mapping)
        for row, found in pairs:
            owner, ok = self.owner(row)
            if not ok:
                continue
            if found is not None:
                if found.digest == row.digest:
                    self.context.report.unchanged["journeys"] += 1
                else:
                    self._update(row, found.object_id, owner.member_id if owner else None)
                continue
            key = row.values["stage"]
            reason = outcome_reason(self.context.stages, key, row, "outcome_reason")
            if reason is None:
                self.refuse(
                    row,
                    self.mapping.columns["stage"],
                    key,
                    "an outcome needs a reason: map one, or name the outcome_reason column",
                )
                continue
            account = self.account_for(row)
            if account is None:
                continue
            current = self.context.journeys_of_accounts([account[0]]).get(account[0])
            if current is not None and current.is_open and not self.context.stages[key].is_outcome:
                self.record(row, current.journey_id)
                self.context.note_match(
                    self.file,
                    row.line,
                    f"the account {account[1]!r} already has an open journey: linked to it",
                )
                continue
            opening = Opening(
                account[0],
                account[1],
                row.values["opened_at"],
                key,
                row.values.get("stage_entered_at"),
                list(row.history),
                reason,
                dict(row.reasons),
                row.values.get("source", ""),
                owner,
                dict(row.attributes),
            )
            ref = open_journey(self.context, self.events, opening, team.pk, self.system)
            self.record(row, ref.journey_id)
            self._history_records(row, "journey", [key for key, _ in row.history], ref.journey_id)
            self._contact(row, ref)
            self.context.report.created["journeys"] += 1

    def _history_records(
        self, row: ParsedRow, prefix: str, keys: list[str], journey_id: int
    ) -> None:
        """Each stage-history cell imported, so a later import adds only new ones."""
        for key in keys:
            self.record(
                row,
                journey_id,
                kind="stage_change",
                external_id=f"{prefix}:{row.external_id}:{key}",
            )

    def _contact(self, row: ParsedRow, journey: JourneyRef) -> None:
        """The person a lead row names becomes a contact of its account."""
        values = row.values
        name = values.get("contact_name") or " ".join(
            part
            for part in (values.get("contact_first_name"), values.get("contact_last_name"))
            if part
        )
        email = values.get("contact_email", "")
        if not name and not email:
            return
        existing = self.context.contacts.find(email) if email else None
        if existing is not None:
            self.context.note_match(
                self.file, row.line, f"the contact {email!r} already exists: linked"
            )
            self.record(row, existing, kind="contact", external_id=f"journey:{row.external_id}")
            return
        contact = Contact.objects.create(
            account_id=journey.account_id,
            name=(name or email)[:200],
            email=email,
            phone=values.get("contact_phone", ""),
            title=values.get("contact_title", ""),
            created_at=values["opened_at"].at,
        )
        self.context.contacts.add(contact.pk, email)
        self.record(row, contact.pk, kind="contact", external_id=f"journey:{row.external_id}")
        self.events.add(
            journey.journey_id,
            EventKind.CONTACT_ADDED,
            journey.stage_id,
            values["opened_at"].at,
            {
                "contact_id": contact.pk,
                "name": contact.name,
                "buying_role": contact.buying_role,
                "title": contact.title,
            },
        )
        self.context.report.created["contacts"] += 1

    def _update(self, row: ParsedRow, journey_id: int, owner_id: int | None) -> None:
        journey = Journey.objects.select_related("stage").get(pk=journey_id)
        values = row.values
        new: dict[str, Any] = {
            "opened_at": values["opened_at"].at,
            "attributes": journey.attributes | row.attributes,
        }
        if "source" in values:
            new["source"] = values["source"]
        if owner_id is not None:
            new["owner_id"] = owner_id
        changes = apply_changes(journey, new)
        moved = self._move(journey, row)
        if changes:
            self.events.add(
                journey.pk,
                EventKind.JOURNEY_CHANGED,
                journey.stage_id,
                self.context.now,
                {"changes": changes, "imported_from": self.system},
            )
        if changes or moved:
            journey.version += 1
            journey.save()
            self.context.report.updated["journeys"] += 1
        else:
            self.context.report.unchanged["journeys"] += 1
        self._new_history(row, journey, "journey")
        self.record_digest(row)

    def _move(self, journey: Journey, row: ParsedRow) -> bool:
        """The file now puts the journey in another stage: it moves there, at
        the time the file gives, else at the time the import learnt it."""
        key, previous = row.values["stage"], journey.stage.key
        if key == previous or journey.is_closed:
            return False
        reason = outcome_reason(self.context.stages, key, row, "outcome_reason") or ""
        moment: Moment | None = row.values.get("stage_entered_at")
        move_to(
            journey, self.context.stages[key], moment.at if moment else self.context.now, reason
        )
        stage_entries(
            self.context,
            self.events,
            journey.pk,
            [(key, moment)],
            {key: reason},
            self.system,
            previous=previous,
        )
        return True

    def _new_history(
        self, row: ParsedRow, journey: Journey, prefix: str, deal_id: int | None = None
    ) -> None:
        """Stage-history cells the earlier import did not have become events now."""
        if not row.history:
            return
        ids = {f"{prefix}:{row.external_id}:{key}": (key, moment) for key, moment in row.history}
        known = set(
            ExternalRecord.objects.filter(
                system=self.system, kind="stage_change", external_id__in=list(ids)
            ).values_list("external_id", flat=True)
        )
        fresh = [entry for external_id, entry in ids.items() if external_id not in known]
        stage_entries(
            self.context, self.events, journey.pk, fresh, row.reasons, self.system, deal_id=deal_id
        )
        self._history_records(row, prefix, [key for key, _ in fresh], journey.pk)


def move_to(journey: Journey, stage: Stage, at: dt.datetime, reason: str) -> None:
    if stage.is_outcome:
        journey.closed_at, journey.outcome_reason = at, reason
    elif journey.stage.side == Stage.Side.ACQUISITION and stage.side == Stage.Side.RETENTION:
        journey.won_at = journey.won_at or at
    journey.stage, journey.stage_entered_at = stage, at


def deal_status(stages: dict[str, Stage], key: str | None, given: str | None) -> str:
    """Won when the deal's stage is after the sale, lost when it ended before it."""
    if given:
        return given
    if key is None:
        return Deal.Status.OPEN
    stage = stages[key]
    if stage.side == Stage.Side.RETENTION:
        return Deal.Status.WON
    return Deal.Status.LOST if stage.is_outcome else Deal.Status.OPEN


class DealWriter(JourneyWriter):
    FIELDS = ("name", "kind", "amount", "currency", "close_date", "status", "lost_reason")

    def handle(self, pairs: list[Pair]) -> None:
        parents = self.parents(pairs)
        team = self.context.team(self.mapping)
        for row, found in pairs:
            owner, ok = self.owner(row)
            if not ok:
                continue
            if found is not None:
                if found.digest == row.digest:
                    self.context.report.unchanged["deals"] += 1
                else:
                    self._update_deal(row, found.object_id)
                continue
            key = row.values.get("stage")
            reason = outcome_reason(self.context.stages, key, row, "lost_reason")
            if reason is None:
                self.refuse(
                    row,
                    self.mapping.columns["stage"],
                    key,
                    "an outcome needs a reason: map one, or name the lost_reason column",
                )
                continue
            journey = parents.get(row.line)
            if (
                journey is not None
                and not row.refs.get("journey")
                and journey.closed_at is not None
                and row.values["created_at"].at > journey.closed_at
            ):
                journey = None  # a deal after the account's last journey ended opens a new one
            opened = False
            if journey is None:
                if row.refs.get("journey") or not row.refs.get("account"):
                    self.refuse_orphan(row)
                    continue
                account = self.account_for(row)
                if account is None:
                    continue
                journey = self._open(row, account, key, reason, owner, team.pk)
                opened = True
            self._create(row, journey, key, reason, owner.user_id if owner else None, opened)

    def _open(
        self,
        row: ParsedRow,
        account: tuple[int, str],
        key: str | None,
        reason: str,
        owner: Any,
        team_id: int,
    ) -> JourneyRef:
        values = row.values
        status = deal_status(self.context.stages, key, values.get("status"))
        opening = Opening(
            account[0],
            account[1],
            values["created_at"],
            key,
            None,
            list(row.history),
            reason,
            dict(row.reasons),
            values.get("source", ""),
            owner,
            {},
            won_fallback=close_moment(values, self.mapping.zone)
            if status != Deal.Status.OPEN
            else None,
        )
        self.context.report.created["journeys"] += 1
        return open_journey(self.context, self.events, opening, team_id, self.system)

    def _create(
        self,
        row: ParsedRow,
        journey: JourneyRef,
        key: str | None,
        reason: str,
        user_id: int | None,
        opened: bool,
    ) -> None:
        values = row.values
        status = deal_status(self.context.stages, key, values.get("status"))
        created = values["created_at"]
        deal = Deal.objects.create(
            journey_id=journey.journey_id,
            name=values["name"],
            kind=values.get("kind", Deal.Kind.NEW_BUSINESS),
            amount=values.get("amount"),
            currency=values.get("currency", "EUR").upper()[:3],
            close_date=values.get("close_date"),
            status=status,
            lost_reason=(values.get("lost_reason") or reason) if status == Deal.Status.LOST else "",
            attributes=row.attributes,
            created_by_id=user_id,
            created_at=created.at,
        )
        amount = str(deal.amount) if deal.amount is not None else None
        self.events.add(
            journey.journey_id,
            EventKind.DEAL_CREATED,
            journey.stage_id,
            created.at,
            {
                "deal_id": deal.pk,
                "name": deal.name,
                "kind": deal.kind,
                "amount": amount,
                "currency": deal.currency,
                "products": [],
                "imported_from": self.system,
                **precision(created),
            },
            user_id,
        )
        if status != Deal.Status.OPEN:
            closed = close_moment(values, self.mapping.zone)
            self.events.add(
                journey.journey_id,
                EventKind.DEAL_CHANGED,
                journey.stage_id,
                closed.at if closed else None,
                {
                    "deal_id": deal.pk,
                    "name": deal.name,
                    "amount": amount,
                    "changes": {"status": [Deal.Status.OPEN, status]},
                    "imported_from": self.system,
                    **precision(closed),
                },
                user_id,
            )
        history = list(row.history)
        closed = close_moment(values, self.mapping.zone)
        if (
            not opened
            and key
            and status != Deal.Status.OPEN
            and key not in dict(history)
            and closed
        ):
            history.append(
                (key, closed)
            )  # a won or lost deal: its stage was entered on its close date
        if not opened and history:
            stage_entries(
                self.context,
                self.events,
                journey.journey_id,
                ordered(history),
                row.reasons,
                self.system,
                deal_id=deal.pk,
                actor_id=user_id,
            )
        self.record(row, deal.pk)
        self._history_records(row, "deal", [k for k, _ in row.history], journey.journey_id)
        self.context.report.created["deals"] += 1

    def _update_deal(self, row: ParsedRow, deal_id: int) -> None:
        deal = Deal.objects.select_related("journey").get(pk=deal_id)
        values = row.values
        new: dict[str, Any] = {name: values[name] for name in self.FIELDS if name in values}
        key = values.get("stage")
        if "status" not in new and key is not None:
            new["status"] = deal_status(self.context.stages, key, None)
        if "currency" in new:
            new["currency"] = new["currency"].upper()[:3]
        new["attributes"] = deal.attributes | row.attributes
        changes = apply_changes(deal, new)
        if changes:
            deal.version += 1
            deal.save()
            self.events.add(
                deal.journey_id,
                EventKind.DEAL_CHANGED,
                deal.journey.stage_id,
                self.context.now,
                {
                    "deal_id": deal.pk,
                    "name": deal.name,
                    "amount": str(deal.amount) if deal.amount is not None else None,
                    "changes": changes,
                    "imported_from": self.system,
                },
            )
            self.context.report.updated["deals"] += 1
        else:
            self.context.report.unchanged["deals"] += 1
        self._new_history(row, deal.journey, "deal", deal_id=deal.pk)
        self.record_digest(row)


def close_moment(values: dict[str, Any], zone: dt.tzinfo) -> Moment | None:
    """A won or lost deal's close date: the day is known, not the time."""
    day = values.get("close_date")
    if day is None:
        return None
    return Moment(dt.datetime.combine(day, dt.time(), tzinfo=zone), precise=False)
