"""The rows one journey leaves behind, shaped like what the service functions
write: the account, the journey, its contacts, needs, commitments, deals,
tickets, interactions, account-team seats and every event with the payload
keys its service records. Pure: values go out through an adapter that knows
how the target database wants them."""

import bisect
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from bench.pagedata.plan import (
    AE,
    CSM,
    DAY,
    LEAD_GENERATION,
    MANAGER,
    ONBOARDING,
    SDR,
    SUPPORT,
    JourneyPlan,
    customer_success_team,
    new_business_team,
)
from onethread.demo import company

HOUR = 3_600
NEED_PRIORITIES = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}
TICKET_PRIORITIES = {1: "Urgent", 2: "High", 3: "Normal", 4: "Low"}
NOTES = (
    "Spoke with {contact} about {topic}; follow-up next week.",
    "{contact} prefers email to calls; keep meetings short.",
    "Check the {topic} question with product before the next call.",
    "Shared their {topic} requirements with the product team.",
    "No open escalations; relationship is good.",
    "{contact} mentioned a budget review next quarter.",
    "They run {sites} sites; the biggest one drives most of the volume.",
)

# The tables a story writes and the fields of each row, in order.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "account": (
        "customers.Account",
        ("id", "name", "domain", "segment", "employees", "created_at", "version"),
    ),
    "journey": (
        "journeys.Journey",
        ("id", "account", "team", "stage", "owner", "source", "opened_at", "stage_entered_at",
         "won_at", "closed_at", "outcome_reason", "version"),
    ),
    "contact": (
        "customers.Contact",
        ("id", "account", "name", "email", "phone", "title", "buying_role", "is_active",
         "created_at", "version"),
    ),
    "need": (
        "needs.Need",
        ("id", "journey", "statement", "category", "priority", "status", "product", "captured_by",
         "captured_at_stage", "captured_at", "updated_at", "version"),
    ),
    "commitment": (
        "commitments.Commitment",
        ("id", "journey", "promise", "made_by", "made_at_stage", "made_at", "owner", "due_on",
         "status", "settled_at", "version"),
    ),
    "deal": (
        "deals.Deal",
        ("id", "journey", "name", "kind", "amount", "currency", "close_date", "status",
         "lost_reason", "created_by", "created_at", "version"),
    ),
    "line_item": (
        "deals.DealLineItem", ("id", "deal", "product", "quantity", "unit_price", "need")
    ),
    "ticket": (
        "support.Ticket",
        ("id", "journey", "subject", "category", "priority", "status", "opened_at", "resolved_at",
         "opened_by", "need", "commitment", "version"),
    ),
    "interaction": (
        "interactions.Interaction",
        ("id", "journey", "channel", "direction", "summary", "occurred_at", "stage", "logged_by"),
    ),
    "interaction_contact": ("interactions.Interaction.contacts", ("id", "interaction", "contact")),
    "seat": (
        "journeys.AccountTeamMember", ("id", "journey", "member", "stage", "owned", "joined_at")
    ),
}  # fmt: skip
# Events go to a staging table first, to be inserted in the order they happened.
EVENT_STAGING = ("journey", "kind", "stage", "actor", "occurred_at", "recorded_at", "payload")


class Adapter(Protocol):
    def ts(self, moment: int) -> Any: ...
    def date(self, moment: int) -> Any: ...
    def json(self, value: dict[str, Any]) -> Any: ...
    def money(self, value: Decimal) -> Any: ...
    def flag(self, value: bool) -> Any: ...


class Sink(Protocol):
    def add(self, table: str, row: tuple[Any, ...]) -> None: ...


@dataclass(frozen=True)
class Staffer:
    member_id: int
    user_id: int
    name: str
    team_id: int


@dataclass
class World:
    now: int
    stage_ids: dict[str, int]
    staff: dict[tuple[str, str], list[Staffer]]  # (team name, role) → members
    categories: dict[str, tuple[int, str]]  # slug → (id, name)
    products: dict[str, tuple[int, Decimal, tuple[str, ...]]]  # name → (id, price, slugs)
    adapter: Adapter

    def add_on_for(self, slug: str) -> str:
        return next(
            name
            for name, _, kind, _, slugs, _ in company.PRODUCTS
            if kind == company.ADD_ON and slug in slugs
        )


class Ids:
    """The next id of every table, shared by all stories."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


@dataclass(slots=True)
class Contact:
    id: int
    name: str
    title: str
    role: str
    at: int
    active: bool = True
    version: int = 1


@dataclass(slots=True)
class Need:
    id: int
    statement: str
    slug: str
    priority: int
    by: Staffer
    stage: str
    at: int
    status: str = "open"
    product: str | None = None
    updated: int = 0
    version: int = 1


@dataclass(slots=True)
class Commitment:
    id: int
    promise: str
    by: Staffer
    owner: Staffer
    stage: str
    at: int
    due: int
    status: str = "open"
    settled: int | None = None
    version: int = 1


@dataclass(slots=True)
class Deal:
    id: int
    name: str
    kind: str
    amount: Decimal
    close: int
    by: Staffer
    at: int
    lines: list[tuple[int, str, int, Decimal, int | None]] = field(default_factory=list)
    status: str = "open"
    lost_reason: str = ""
    version: int = 1


def stamp(moment: int) -> str:
    """A time as the services' payloads describe it."""
    return str(dt.datetime.fromtimestamp(moment, dt.UTC))


def day(moment: int) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).date().isoformat()


class Story:
    """Tell one journey: call `tell`, then `emit` its rows."""

    def __init__(self, plan: JourneyPlan, world: World, ids: Ids, fillers: int) -> None:
        self.p, self.w, self.ids, self.fillers = plan, world, ids, fillers
        self.rng = random.Random(plan.seed)
        # (time, order, kind, stage key, actor, payload)
        self.events: list[tuple[int, int, str, str, Staffer | None, dict[str, Any]]] = []
        self.owned: list[tuple[int, Staffer, str]] = []
        self.stage_starts: list[tuple[int, str]] = []
        self.contacts: list[Contact] = []
        self.needs: list[Need] = []
        self.commitments: list[Commitment] = []
        self.deals: list[Deal] = []
        self.tickets: list[tuple[Any, ...]] = []
        self.interactions: list[tuple[int, int, str, str, str, str, Staffer, int | None]] = []
        self.covered: set[str] = set()
        self.topic = self.rng.choice(company.CATEGORIES)[0]
        self.version = 1
        self.entered_at = plan.opened
        self.won_at: int | None = None
        self.closed_at: int | None = None
        self.reason = ""
        self._cast()

    def _cast(self) -> None:
        rng, region = self.rng, self.p.region
        nb, cs = new_business_team(region), customer_success_team(region)

        def pick(team: str, role: str) -> Staffer:
            return rng.choice(self.w.staff[(team, role)])

        sdr, csm = pick(nb, SDR), pick(cs, CSM)
        self.stage_owner = {
            "lead": sdr if self.p.source == "outbound" else pick(nb, LEAD_GENERATION),
            "qualification": sdr,
            "closing": pick(nb, AE),
            "onboarding": pick(cs, ONBOARDING),
            "adoption": csm,
            "expansion": csm,
        }
        self.support = pick(cs, SUPPORT)
        self.managers = {"nb": pick(nb, MANAGER), "cs": pick(cs, MANAGER)}
        self.owner = self.stage_owner["lead"]

    # Writing events ----------------------------------------------------------

    def event(
        self, at: int, kind: str, payload: dict[str, Any], by: Staffer | None, stage: str = ""
    ) -> None:
        self.events.append((at, len(self.events), kind, stage or self.stage_at(at), by, payload))

    def stage_at(self, moment: int) -> str:
        index = bisect.bisect_right(self.stage_starts, (moment, "~")) - 1
        return self.stage_starts[max(index, 0)][1]

    def moments(self, count: int, start: int, end: int) -> list[int]:
        end = max(start, end)
        return sorted(int(self.rng.uniform(start, end)) for _ in range(count))

    def words(self, at: int) -> dict[str, Any]:
        primary = self.primary(at)
        return {
            "contact": primary.name if primary else "the operations team",
            "topic": self.w.categories[self.topic][1].lower(),
            "plan": self.deals[0].lines[0][1] if self.deals else "Shipwright Pro",
            "product": self.w.add_on_for(self.uncovered()[0]) if self.uncovered() else "more sites",
            "sites": self.p.sites,
            "users": max(3, self.p.employees // 12),
            "segment": self.p.segment,
            "employees": self.p.employees,
            "referrer": "an existing customer",
            "event": company.EVENTS[self.p.number % len(company.EVENTS)],
            "partner": company.PARTNERS[self.p.number % len(company.PARTNERS)],
        }

    def uncovered(self) -> list[str]:
        return [slug for slug, _ in company.CATEGORIES if slug not in self.covered]

    def primary(self, at: int) -> Contact | None:
        known = [c for c in self.contacts if c.at <= at and c.active]
        return next((c for c in known if c.role == "champion"), known[0] if known else None)

    # The story -------------------------------------------------------------

    def tell(self) -> None:
        p = self.p
        active = p.path[:-1] if p.is_closed else p.path
        # When the journey actually entered each stage: a little after the
        # handoff began (and never after now).
        self.stage_starts = [(p.entered[0], active[0])]
        for index in range(1, len(active)):
            moved = p.entered[index] + 60 + self.rng.randint(5, 90) * 60
            moved = min(moved, max(p.entered[index], p.until - 120))
            self.stage_starts.append((moved, active[index]))
        if p.is_closed:
            self.stage_starts.append((p.until + 60, p.path[-1]))
        for index, key in enumerate(active):
            start = self.stage_starts[index][0]
            end = p.entered[index + 1] if index + 1 < len(p.path) else p.until
            if index == 0:
                self.open(start)
            else:
                self.hand_over(active[index - 1], key, p.entered[index], start)
            STAGE_CONTENT[key](self, start + HOUR, max(start + HOUR, end - HOUR))
        if p.is_closed:
            self.close(p.path[-1], p.until)
        self.fill()

    def open(self, at: int) -> None:
        payload = {"account": self.p.name, "source": self.p.source}
        self.event(at, "journey_opened", payload, self.owner, "lead")
        self.event(at, "stage_entered", {"to": "lead"}, self.owner, "lead")
        self.owned.append((at, self.owner, "lead"))
        self.entered_at = at

    def hand_over(self, previous: str, key: str, at: int, moved: int) -> None:
        if previous == "closing":
            self.win(at)
        new = self.stage_owner[key]
        if new != self.owner:
            payload = {
                "from": self.owner.name,
                "from_id": self.owner.member_id,
                "to": new.name,
                "to_id": new.member_id,
            }
            self.event(at + 60, "owner_changed", payload, self.owner, previous)
            self.owned.append((at + 60, new, previous))
            self.owner = new
            self.version += 1
        self.event(moved, "stage_entered", {"from": previous, "to": key}, new, key)
        self.owned.append((moved, new, key))
        self.entered_at = moved
        self.version += 1

    def win(self, at: int) -> None:
        self.won_at = at
        for deal in self.deals:
            if deal.status == "open" and deal.kind == "new_business":
                self.settle_deal(deal, "won", at)
        champion = next((c for c in self.contacts if c.role == "champion"), None)
        pending = sum(1 for c in self.commitments if c.status in ("open", "renegotiated"))
        text = (
            f"Handoff to onboarding. Champion: {champion.name if champion else 'none named'}. "
            f"{pending} open promises, see commitments. They care most about "
            f"{self.w.categories[self.topic][1].lower()}."
        )
        self.event(at + 30, "note_added", {"text": text}, self.owner, "closing")

    def close(self, outcome: str, at: int) -> None:
        reasons = {
            "disqualified": company.DISQUALIFIED_REASONS,
            "lost": company.LOST_REASONS,
            "churned": company.CHURN_REASONS,
        }[outcome]
        self.reason = self.rng.choice(reasons)
        line = ("call", "outbound", "Call with {contact}: " + self.reason + ".")
        self.talk(at - 600, line)
        for deal in self.deals:
            if deal.status == "open":
                self.settle_deal(deal, "lost", at, self.reason)
        if outcome == "churned":
            for need in self.needs:
                if need.status == "addressed" and self.rng.random() < 0.5:
                    self.change_need(need, "unmet", at - 300)
        closed = self.stage_starts[-1][0]
        payload = {"from": self.stage_at(at), "to": outcome, "reason": self.reason}
        self.event(closed, "stage_entered", payload, self.owner, outcome)
        self.closed_at = self.entered_at = closed
        self.version += 1

    def fill(self) -> None:
        """The ordinary traffic: conversations and notes all along the journey."""
        start, end = self.p.opened + 1_800, self.p.until - 900
        for at in self.moments(self.fillers, start, end):
            stage = self.stage_at(at)
            by = self.stage_owner[stage]
            roll = self.rng.random()
            if roll < 0.7:
                self.talk(at, self.rng.choice(company.CONVERSATIONS[stage]), by=by)
            elif roll < 0.95:
                text = self.rng.choice(NOTES).format(**self.words(at))
                self.event(at, "note_added", {"text": text}, by)
            else:
                manager = self.managers["cs" if stage in CUSTOMER else "nb"]
                text = self.rng.choice(company.MANAGER_REVIEWS)
                self.event(at, "note_added", {"text": text}, manager)

    # What happens inside stages --------------------------------------------

    def talk(self, at: int, line: tuple[str, str, str], *, by: Staffer | None = None) -> None:
        channel, direction, template = line
        by = by or self.owner
        summary = template.format(**self.words(at))
        primary = self.primary(at)
        number = self.ids.next("interaction")
        stage = self.stage_at(at)
        contact_id = primary.id if primary else None
        row = (number, at, channel, direction, summary, stage, by, contact_id)
        self.interactions.append(row)
        payload = {
            "interaction_id": number,
            "channel": channel,
            "direction": direction,
            "summary": summary[:500],
            "contacts": [primary.name] if primary else [],
        }
        self.event(at, "interaction_logged", payload, by)

    def add_contact(self, role: str, at: int) -> None:
        rng = self.rng
        taken = {c.name for c in self.contacts}
        name = f"{rng.choice(company.FIRST_NAMES)} {rng.choice(company.LAST_NAMES)}"
        while name in taken:
            name = f"{rng.choice(company.FIRST_NAMES)} {rng.choice(company.LAST_NAMES)}"
        contact = Contact(
            self.ids.next("contact"), name, rng.choice(company.TITLES[role]), role, at
        )
        self.contacts.append(contact)
        payload = {
            "contact_id": contact.id,
            "name": name,
            "buying_role": role,
            "title": contact.title,
        }
        self.event(at, "contact_added", payload, self.owner)

    def contact_leaves(self, at: int) -> None:
        present = [c for c in self.contacts if c.active and c.at < at]
        if present:
            contact = self.rng.choice(present)
            contact.active, contact.version = False, contact.version + 1
            changes = {"is_active": [True, False]}
            payload = {"contact_id": contact.id, "name": contact.name, "changes": changes}
            self.event(at, "contact_changed", payload, self.owner)

    def capture_need(self, at: int, *, beyond_purchase: bool = False) -> Need | None:
        used = {need.slug for need in self.needs}
        left = [slug for slug, _ in company.CATEGORIES if slug not in used]
        if beyond_purchase:
            left = [slug for slug in left if slug not in self.covered] or left
        if not left:
            return None
        slug = self.topic if self.topic in left else self.rng.choice(left)
        statement = self.rng.choice(company.NEEDS[slug]).format(sites=self.p.sites)
        priority = self.rng.choices([1, 2, 3, 4], weights=[10, 35, 40, 15])[0]
        stage = self.stage_at(at)
        need = Need(self.ids.next("need"), statement, slug, priority, self.owner, stage, at)
        need.updated = at
        self.needs.append(need)
        payload = {
            "need_id": need.id,
            "statement": statement,
            "category": slug,
            "priority": NEED_PRIORITIES[priority],
        }
        self.event(at, "need_captured", payload, self.owner)
        return need

    def change_need(self, need: Need, status: str, at: int, product: str | None = None) -> None:
        changes: dict[str, list[Any]] = {"status": [need.status, status]}
        if product is not None and product != need.product:
            changes["product"] = [need.product, product]
            need.product = product
        need.status, need.updated, need.version = status, at, need.version + 1
        payload = {"need_id": need.id, "statement": need.statement, "changes": changes}
        self.event(at, "need_changed", payload, self.owner)

    def promise(self, at: int, text: str, owner: Staffer) -> None:
        rng = self.rng
        due = at + rng.randint(5, 21) * DAY
        commitment = Commitment(
            self.ids.next("commitment"), text, self.owner, owner, self.stage_at(at), at, due
        )
        self.commitments.append(commitment)
        payload = {
            "commitment_id": commitment.id,
            "promise": text,
            "owner": owner.name,
            "due_on": day(due),
        }
        self.event(at, "commitment_made", payload, self.owner)
        self.follow_up(commitment, at)

    def follow_up(self, commitment: Commitment, made: int) -> None:
        """Kept, broken, re-dated or forgotten: whatever happens before the story ends."""
        rng, until, due = self.rng, self.p.until, commitment.due
        roll = rng.random()
        if roll < 0.7:
            self.settle(commitment, "kept", max(made + HOUR, due - rng.randint(0, 3) * DAY))
        elif roll < 0.8:
            self.settle(commitment, "broken", due + rng.randint(1, 5) * DAY)
        elif roll < 0.9:
            at = max(made + HOUR, due - DAY)
            if at > until:
                return
            new_due = due + rng.randint(7, 14) * DAY
            changes = {
                "due_on": [day(due), day(new_due)],
                "status": [commitment.status, "renegotiated"],
            }
            commitment.due, commitment.status = new_due, "renegotiated"
            commitment.version += 1
            note = rng.choice(company.RENEGOTIATION_NOTES)
            self.commitment_changed(commitment, changes, at, note)
            if rng.random() < 0.8:
                self.settle(commitment, "kept", new_due - DAY)
        # else: forgotten, and overdue once its date passes

    def settle(self, commitment: Commitment, status: str, at: int) -> None:
        if at > self.p.until:
            return
        changes: dict[str, list[Any]] = {
            "status": [commitment.status, status],
            "settled_at": [None, stamp(at)],
        }
        commitment.status, commitment.settled = status, at
        commitment.version += 1
        note = self.rng.choice(company.BROKEN_NOTES) if status == "broken" else ""
        self.commitment_changed(commitment, changes, at, note)

    def commitment_changed(
        self, commitment: Commitment, changes: dict[str, list[Any]], at: int, note: str
    ) -> None:
        payload: dict[str, Any] = {
            "commitment_id": commitment.id,
            "promise": commitment.promise,
            "changes": changes,
        }
        if note:
            payload["note"] = note
        self.event(at, "commitment_changed", payload, commitment.owner)

    def create_deal(self, at: int, kind: str, products: list[tuple[str, int]]) -> Deal:
        """A deal with a line per product, each mapped to the open need it addresses."""
        lines = []
        for name, quantity in products:
            _, price, slugs = self.w.products[name]
            need = next(
                (n for n in self.needs if n.status == "open" and n.slug in slugs and n.at < at),
                None,
            )
            lines.append((self.ids.next("line_item"), name, quantity, price, need))
            self.covered.update(slugs)
        amount = sum((price * quantity for _, _, quantity, price, _ in lines), Decimal("0"))
        label = {"new_business": "", "expansion": " expansion", "renewal": " renewal"}[kind]
        name = f"{self.p.name.split(' ')[0]} {products[0][0].replace('Shipwright ', '')}{label}"
        close = at + self.rng.randint(20, 60) * DAY
        deal = Deal(self.ids.next("deal"), name, kind, amount, close, self.owner, at)
        deal.lines = [(n, p, q, price, need.id if need else None) for n, p, q, price, need in lines]
        self.deals.append(deal)
        payload = {
            "deal_id": deal.id,
            "name": name,
            "kind": kind,
            "amount": str(amount),
            "currency": "EUR",
            "products": [product for product, _ in products],
        }
        self.event(at, "deal_created", payload, self.owner)
        for _, product, _, _, need in lines:
            if need is not None and need.status == "open":
                self.change_need(need, "addressed", at, product)
        return deal

    def settle_deal(self, deal: Deal, status: str, at: int, reason: str = "") -> None:
        changes: dict[str, list[Any]] = {
            "status": ["open", status],
            "close_date": [day(deal.close), day(at)],
        }
        if reason:
            changes["lost_reason"] = ["", reason]
        deal.status, deal.close, deal.lost_reason = status, at, reason
        deal.version += 1
        payload = {
            "deal_id": deal.id,
            "name": deal.name,
            "amount": str(deal.amount),
            "changes": changes,
        }
        self.event(at, "deal_changed", payload, self.owner)

    def open_ticket(self, at: int) -> None:
        rng = self.rng
        slug = rng.choice(company.CATEGORIES)[0]
        subject = rng.choice(company.TICKETS[slug])
        priority = rng.choices([1, 2, 3, 4], weights=[5, 20, 60, 15])[0]
        need = next((n for n in self.needs if n.slug == slug), None)
        number = self.ids.next("ticket")
        resolved = at + rng.randint(2 * HOUR, 7 * DAY)
        resolved_at = None if resolved > self.p.until or rng.random() < 0.05 else resolved
        self.tickets.append((number, subject, slug, priority, at, resolved_at, need))
        payload = {
            "ticket_id": number,
            "subject": subject,
            "category": slug,
            "priority": TICKET_PRIORITIES[priority],
        }
        self.event(at, "ticket_opened", payload, self.support)
        if resolved_at is not None:
            changes = {"status": ["open", "resolved"], "resolved_at": [None, stamp(resolved_at)]}
            payload = {"ticket_id": number, "subject": subject, "changes": changes}
            self.event(resolved_at, "ticket_changed", payload, self.support)

    def deliver(self, start: int, end: int, share: float) -> None:
        addressed = [need for need in self.needs if need.status == "addressed"]
        for need, at in zip(addressed, self.moments(len(addressed), start, end), strict=True):
            if need.updated < at and self.rng.random() < share:
                self.change_need(need, "delivered", at)

    # Emitting rows ----------------------------------------------------------

    def emit(self, sink: Sink) -> None:
        a, w, p = self.w.adapter, self.w, self.p
        stage = w.stage_ids
        created = a.ts(p.opened)
        sink.add("account", (p.number, p.name, p.domain, p.segment, p.employees, created, 1))
        final = p.path[-1]
        sink.add(
            "journey",
            (
                p.number, p.number, self.owner.team_id, stage[final], self.owner.member_id,
                p.source, created, a.ts(self.entered_at),
                a.ts(self.won_at) if self.won_at else None,
                a.ts(self.closed_at) if self.closed_at else None, self.reason, self.version,
            ),
        )  # fmt: skip
        for c in self.contacts:
            email = f"{c.name.lower().replace(' ', '.')}@{p.domain}"
            row = (c.id, p.number, c.name, email, "", c.title, c.role, a.flag(c.active))
            sink.add("contact", (*row, a.ts(c.at), c.version))
        self._emit_records(sink)
        self._emit_seats_and_events(sink)

    def _emit_records(self, sink: Sink) -> None:
        a, w, p = self.w.adapter, self.w, self.p
        stage = w.stage_ids
        for n in self.needs:
            product_id = w.products[n.product][0] if n.product else None
            sink.add(
                "need",
                (
                    n.id, p.number, n.statement, w.categories[n.slug][0], n.priority, n.status,
                    product_id, n.by.user_id, stage[n.stage], a.ts(n.at), a.ts(n.updated),
                    n.version,
                ),
            )  # fmt: skip
        for c in self.commitments:
            settled = a.ts(c.settled) if c.settled else None
            sink.add(
                "commitment",
                (
                    c.id, p.number, c.promise, c.by.user_id, stage[c.stage], a.ts(c.at),
                    c.owner.user_id, a.date(c.due), c.status, settled, c.version,
                ),
            )  # fmt: skip
        for d in self.deals:
            sink.add(
                "deal",
                (
                    d.id, p.number, d.name, d.kind, a.money(d.amount), "EUR", a.date(d.close),
                    d.status, d.lost_reason, d.by.user_id, a.ts(d.at), d.version,
                ),
            )  # fmt: skip
            for line, name, quantity, price, need_id in d.lines:
                item = (line, d.id, w.products[name][0], quantity, a.money(price), need_id)
                sink.add("line_item", item)
        for number, subject, slug, priority, at, resolved, need in self.tickets:
            sink.add(
                "ticket",
                (
                    number, p.number, subject, w.categories[slug][0], priority,
                    "resolved" if resolved else "open", a.ts(at),
                    a.ts(resolved) if resolved else None, self.support.user_id,
                    need.id if need else None, None, 2 if resolved else 1,
                ),
            )  # fmt: skip
        for number, at, channel, direction, summary, key, by, contact in self.interactions:
            said = (number, p.number, channel, direction, summary, a.ts(at), stage[key], by.user_id)
            sink.add("interaction", said)
            if contact is not None:
                sink.add(
                    "interaction_contact", (self.ids.next("interaction_contact"), number, contact)
                )

    def _emit_seats_and_events(self, sink: Sink) -> None:
        """Every actor sits on the account team at the stage they acted in;
        owners hold an owned seat (as record_event and join_account_team do)."""
        a, stage = self.w.adapter, self.w.stage_ids
        self.events.sort(key=lambda event: (event[0], event[1]))
        seats: dict[tuple[int, str], list[Any]] = {}
        joins = [(at, by, key, False) for at, _, _, key, by, _ in self.events if by is not None]
        joins += [(at, by, key, True) for at, by, key in self.owned]
        for at, member, key, owned in sorted(joins, key=lambda join: join[0]):
            seat = seats.setdefault((member.member_id, key), [owned, at])
            seat[0] = seat[0] or owned
        for (member_id, key), (owned, at) in seats.items():
            seat_row = (self.ids.next("seat"), self.p.number, member_id, stage[key], a.flag(owned))
            sink.add("seat", (*seat_row, a.ts(at)))
        for at, _, kind, key, by, payload in self.events:
            when = a.ts(at)
            row = (self.p.number, kind, stage[key], by.user_id if by else None, when, when)
            sink.add("event", (*row, a.json(payload)))

    @property
    def event_count(self) -> int:
        return len(self.events)


CUSTOMER = ("onboarding", "adoption", "expansion")


def _lead(story: Story, start: int, end: int) -> None:
    rng = story.rng
    role = rng.choices(["champion", "user", "other"], weights=[3, 4, 3])[0]
    story.add_contact(role, start)
    story.talk(start + 120, company.FIRST_TOUCH[story.p.source])
    if rng.random() < 0.3:
        story.capture_need(story.moments(1, start + 600, end)[0])


def _qualification(story: Story, start: int, end: int) -> None:
    rng = story.rng
    moments = iter(story.moments(5, start, end))
    if not any(c.role == "champion" for c in story.contacts) and rng.random() < 0.85:
        story.add_contact("champion", next(moments))
    if rng.random() < 0.3:
        story.add_contact("decision_maker", next(moments))
    for at in story.moments(rng.randint(1, 3), start, end):
        story.capture_need(at)


def _closing(story: Story, start: int, end: int) -> None:
    rng = story.rng
    first, deal_at, *promises = story.moments(2 + rng.choice([0, 1, 1, 2]), start, end)
    if not any(c.role == "decision_maker" for c in story.contacts) and rng.random() < 0.6:
        story.add_contact("decision_maker", first)
    if rng.random() < 0.3:
        story.add_contact("blocker", first + 60)
    for at in story.moments(rng.choice([0, 1, 1, 2]), start, deal_at):
        story.capture_need(at)
    story.create_deal(deal_at, "new_business", _purchase(story))
    for at in promises:
        text = rng.choice(company.PRESALE_PROMISES).format(segment=story.p.segment)
        story.promise(at, text, story.owner)


def _purchase(story: Story) -> list[tuple[str, int]]:
    employees = story.p.employees
    plan = "Shipwright Base" if employees < 100 else "Shipwright Pro"
    plan = "Shipwright Enterprise" if employees >= 2000 else plan
    covered = set(story.w.products[plan][2])
    products = [(plan, 1)]
    for need in story.needs:
        if need.status == "open" and need.slug not in covered:
            add_on = story.w.add_on_for(need.slug)
            quantity = story.p.sites if add_on == company.PER_SITE_PRODUCT else 1
            products.append((add_on, quantity))
            covered.update(story.w.products[add_on][2])
    return products


def _onboarding(story: Story, start: int, end: int) -> None:
    rng = story.rng
    for at in story.moments(rng.randint(1, 2), start, start + (end - start) // 2):
        story.promise(at, rng.choice(company.ONBOARDING_PROMISES), story.owner)
    if rng.random() < 0.4:
        story.open_ticket(story.moments(1, start, end)[0])
    story.deliver(start + (end - start) * 6 // 10, end, 0.5)


def _adoption(story: Story, start: int, end: int) -> None:
    rng, days = story.rng, (end - start) / DAY
    for at in story.moments(round(days / 75 * story.p.activity**0.5), start, end):
        story.open_ticket(at)
    for at in story.moments(rng.choice([0, 1, 1, 2]), start, end):
        story.capture_need(at, beyond_purchase=True)
    story.deliver(start, min(end, start + 120 * DAY), 0.7)
    if rng.random() < 0.6:
        at = story.moments(1, start, end)[0]
        story.promise(at, rng.choice(company.CSM_PROMISES), story.owner)
    for at in story.moments(int(days / 150), start, end):
        text = rng.choice(company.MANAGER_REVIEWS)
        story.event(at, "note_added", {"text": text}, story.managers["cs"])
    if rng.random() < 0.05:
        story.contact_leaves(story.moments(1, start, end)[0])
    _renewals(story, start, end)


def _renewals(story: Story, start: int, end: int) -> None:
    if story.won_at is None or not story.deals:
        return
    anniversary = story.won_at + 365 * DAY
    plan = story.deals[0].lines[0][1]
    while anniversary - 40 * DAY < end:
        created = anniversary - 40 * DAY
        if created < start:  # told in the previous stage
            anniversary += 365 * DAY
            continue
        deal = story.create_deal(created, "renewal", [(plan, 1)])
        if anniversary <= story.p.until:
            story.settle_deal(deal, "won", anniversary)
        anniversary += 365 * DAY


def _expansion(story: Story, start: int, end: int) -> None:
    rng = story.rng
    heard = story.moments(1, start, start + (end - start) // 3)[0]
    need = story.capture_need(heard, beyond_purchase=True)
    slug = need.slug if need else (story.uncovered() or ["multi-site"])[0]
    add_on = story.w.add_on_for(slug)
    quantity = story.p.sites if add_on == company.PER_SITE_PRODUCT else 1
    created = max(heard + HOUR, min(end, heard + rng.randint(1, 20) * DAY))
    deal = story.create_deal(created, "expansion", [(add_on, quantity)])
    won = created + rng.randint(20, 60) * DAY
    if won <= end and rng.random() < 0.45:
        story.settle_deal(deal, "won", won)
    _renewals(story, start, end)


STAGE_CONTENT: dict[str, Callable[[Story, int, int], None]] = {
    "lead": _lead,
    "qualification": _qualification,
    "closing": _closing,
    "onboarding": _onboarding,
    "adoption": _adoption,
    "expansion": _expansion,
}
