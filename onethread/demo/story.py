"""One demo account's journey, told through the service functions in the order
it happened. Entering a stage schedules what happens in it (onethread.demo.stages)
and how the journey leaves it: a close, or a handoff the next stage accepts or
returns (onethread.demo.handing); deals, promises and tickets schedule their own
follow-ups (onethread.demo.selling, onethread.demo.aftercare)."""

import datetime as dt
import heapq
import itertools
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from onethread.catalogue.models import Category, Product
from onethread.customers.models import Account, BuyingRole, Contact
from onethread.customers.services import add_contact
from onethread.deals.models import Deal
from onethread.deals.services import lose_deal, win_deal
from onethread.demo import company, handing
from onethread.demo.handoff_setup import Desk
from onethread.demo.plans import JourneyPlan
from onethread.demo.selling import plan_for, schedule_renewals
from onethread.demo.stages import STAGE_CONTENT
from onethread.demo.workdays import MINUTE, Action, WorkClock
from onethread.interactions.services import log_interaction
from onethread.journeys.models import Journey, Stage
from onethread.journeys.services import add_note, assign_owner, move_stage
from onethread.journeys.services import open_journey_for_new_account as open_journey
from onethread.needs.models import Need
from onethread.needs.services import NEXT_STATUSES, capture_need, change_need
from onethread.team.models import Member, Role


@dataclass(frozen=True)
class World:
    """What every story draws on: the people, the catalogue, the stages, the clock."""

    members: dict[str, Member]  # by username
    categories: dict[str, Category]  # by slug
    products: dict[str, Product]  # by name
    covers: dict[str, frozenset[str]]  # product name → category slugs it addresses
    slugs: dict[int, str]  # category id → slug
    stages: dict[str, Stage]  # by key
    clock: WorkClock
    desk: Desk  # transitions, contracts, return reasons, who is away

    def with_role(self, role: str) -> list[Member]:
        return [member for member in self.members.values() if member.role == role]

    def manager_of(self, team_name: str) -> Member:
        return next(m for m in self.with_role(Role.MANAGER) if m.team.name == team_name)

    def slug(self, need: Need) -> str:
        return self.slugs.get(need.category_id or 0, "")

    def product_for(self, slug: str) -> Product:
        """The add-on that addresses a category."""
        return next(
            self.products[offer.name]
            for offer in company.PRODUCTS
            if not offer.is_plan and slug in offer.categories
        )


class Story:
    """The journey of one planned account, and what the story knows so far."""

    journey: Journey
    account: Account
    owner_member: Member

    def __init__(self, plan: JourneyPlan, world: World, rng: random.Random) -> None:
        self.plan, self.world, self.rng = plan, world, rng
        self.queue: list[tuple[float, int, bool, Action]] = []
        self.order = itertools.count()
        self.last = plan.entered[0]
        self.contacts: list[Contact] = []
        self.needs: list[Need] = []
        self.deals: list[Deal] = []
        self.covered: set[str] = set()
        self.bought: list[str] = []
        self.topic = rng.choice(company.CATEGORIES)[0]
        self.owners = dict(plan.owners)  # who works each stage, as it turned out

    # The clock and the schedule

    def when(self, moment: float) -> dt.datetime:
        self.last = max(self.last, moment)
        return self.world.clock.at(self.last)

    def schedule(self, moment: float, action: Action, *, forced: bool = False) -> None:
        heapq.heappush(self.queue, (moment, next(self.order), forced, action))

    def spread(self, actions: list[Action], start: float, end: float) -> None:
        """Schedule actions in the given order at random moments of a window."""
        low, high = start + 5 * MINUTE, max(start + 5 * MINUTE, end - 5 * MINUTE)
        moments = sorted(self.rng.uniform(low, high) for _ in actions)
        for moment, action in zip(moments, actions, strict=True):
            self.schedule(moment, action)

    def tell(self) -> Journey:
        self.schedule(self.plan.entered[0], self.open, forced=True)
        while self.queue:
            moment, _, forced, action = heapq.heappop(self.queue)
            if forced or moment < self.plan.until:
                action(moment)
        return self.journey

    # People and words

    @property
    def owner(self) -> User:
        return self.owner_member.user

    def contact(self, *roles: str) -> Contact | None:
        return next((c for c in self.contacts if c.buying_role in roles), None)

    def primary(self) -> list[Contact]:
        chosen = self.contact(BuyingRole.CHAMPION) or (self.contacts[0] if self.contacts else None)
        return [chosen] if chosen else []

    def words(self, **extra: Any) -> dict[str, Any]:
        primary = self.primary()
        uncovered = [slug for slug, _ in company.CATEGORIES if slug not in self.covered]
        return {
            "contact": primary[0].name if primary else "the operations team",
            "topic": self.world.categories[self.topic].name.lower(),
            "plan": self.bought[0] if self.bought else plan_for(self.plan.employees),
            "product": self.world.product_for(uncovered[0]).name if uncovered else "more sites",
            "sites": self.plan.sites,
            "users": max(3, self.plan.employees // self.rng.randint(8, 20)),
            "segment": self.plan.segment,
            "employees": self.plan.employees,
            "referrer": self.plan.referrer,
            "event": self.rng.choice(company.EVENTS),
            "partner": self.rng.choice(company.PARTNERS),
            **extra,
        }

    # Stage entries: open, hand over, close

    def stage(self, index: int, moment: float) -> float:
        """The journey entered stage `index` of the plan: plan how it leaves, and
        spread what happens in the stage until then. Returns when it leaves."""
        leave = self.departure(index, moment)
        key = self.plan.path[index]
        self.spread(STAGE_CONTENT[key](self, moment, leave), moment, leave)
        return leave

    def departure(self, index: int, moment: float) -> float:
        """Schedule the way out of stage `index`: a close, a handoff, or a step
        the owner takes alone. Returns when the journey starts to leave."""
        path = self.plan.path
        if index + 1 == len(path):
            return self.plan.until
        key, planned = path[index + 1], self.plan.entered[index + 1]
        if self.world.stages[key].is_outcome:
            self.schedule(planned, lambda at: self.close(key, at), forced=True)
            return planned
        if handing.crosses_directly(self, (path[index], key)):
            self.schedule(planned, lambda at: self.step_forward(index + 1, at), forced=True)
            return planned
        return handing.plan_exchange(self, index + 1, moment)

    def open(self, moment: float) -> None:
        owner = self.owner_member = self.world.members[self.plan.owners["lead"]]
        self.journey = open_journey(
            self.plan.name,
            team=owner.team,
            by=owner.user,
            owner=owner,
            domain=self.plan.domain,
            segment=self.plan.segment,
            employees=self.plan.employees,
            source=self.plan.source,
            at=self.when(moment),
        )
        self.account = self.journey.account
        self.stage(0, moment)

    def step_forward(self, index: int, moment: float) -> None:
        """Move on without a handoff: the owner works the next stage too."""
        key = self.plan.path[index]
        new_owner = self.world.members[self.owners[key]]
        if self.owner_member != new_owner:
            self.journey = assign_owner(
                self.journey, new_owner, by=self.owner, at=self.when(moment)
            )
            self.owner_member = new_owner
        self.journey = move_stage(
            self.journey, self.world.stages[key], by=self.owner, at=self.when(moment + MINUTE)
        )
        self.stage(index, moment + MINUTE)

    def arrive(self, index: int, receiver: Member, moment: float) -> float:
        """The receiver accepted the handoff into stage `index`: they own it now."""
        self.journey = Journey.objects.select_related("account", "stage").get(pk=self.journey.pk)
        self.owner_member = receiver
        self.owners[self.plan.path[index]] = receiver.user.username
        return self.stage(index, moment)

    def win(self, moment: float) -> None:
        """The customer signs; the handoff to onboarding follows (onethread.demo.handing)."""
        self.close_deals(moment, Deal.Kind.NEW_BUSINESS)
        schedule_renewals(self, moment)

    def close(self, key: str, moment: float) -> None:
        reason = self.plan.reason
        if key == "disqualified":
            self.talk(moment, ("call", "outbound", "Call with {contact}: " + reason + "."))
        else:
            self.talk(moment, ("email", "inbound", "{contact} wrote: " + reason.lower() + "."))
        self.close_deals(moment, reason=reason)
        self.journey = move_stage(
            self.journey,
            self.world.stages[key],
            by=self.owner,
            reason=reason,
            at=self.when(moment + MINUTE),
        )

    # Things that happen inside a stage

    def close_deals(self, moment: float, kind: str = "", *, reason: str = "") -> None:
        """Win the open deals of a kind, or lose every open deal for a reason."""
        at = self.when(moment)
        for index, deal in enumerate(self.deals):
            if deal.status != Deal.Status.OPEN or (kind and deal.kind != kind):
                continue
            if reason:
                deal = lose_deal(deal, reason, by=self.owner, expected_version=None, at=at)
            else:
                deal = win_deal(deal, by=self.owner, expected_version=None, at=at)
            self.deals[index] = deal

    def talk(self, moment: float, line: tuple[str, str, str], **extra: Any) -> None:
        channel, direction, summary = line
        log_interaction(
            self.journey,
            channel=channel,
            direction=direction,
            summary=summary.format(**self.words(**extra)),
            by=self.owner,
            contacts=self.primary(),
            occurred_at=self.when(moment),
        )

    def conversation(self, line: tuple[str, str, str]) -> Action:
        return lambda moment: self.talk(moment, line)

    def first_touch(self, moment: float) -> None:
        self.talk(moment, company.FIRST_TOUCH[self.plan.source])

    def add_person(self, role: str) -> Action:
        def action(moment: float) -> None:
            taken = {contact.name for contact in self.contacts}
            first, last = self.rng.choice(company.FIRST_NAMES), self.rng.choice(company.LAST_NAMES)
            while f"{first} {last}" in taken:
                last = self.rng.choice(company.LAST_NAMES)
            contact = add_contact(
                self.account,
                f"{first} {last}",
                by=self.owner,
                email=f"{first}.{last}@{self.plan.domain}".lower(),
                title=self.rng.choice(company.TITLES[role]),
                buying_role=role,
                at=self.when(moment),
            )
            self.contacts.append(contact)

        return action

    def need(self, *, beyond_purchase: bool = False) -> Action:
        """Capture a need of a category not yet heard, the main topic first; after
        the sale, only one the customer's products do not address yet."""

        def action(moment: float) -> None:
            used = {self.world.slug(need) for need in self.needs}
            left = [slug for slug, _ in company.CATEGORIES if slug not in used]
            if beyond_purchase:
                left = [slug for slug in left if slug not in self.covered]
            if not left:
                return
            slug = self.topic if self.topic in left else self.rng.choice(left)
            need = capture_need(
                self.journey,
                self.rng.choice(company.NEEDS[slug]).format(sites=self.plan.sites),
                by=self.owner,
                category=self.world.categories[slug],
                priority=self.rng.choices([1, 2, 3, 4], weights=[10, 35, 40, 15])[0],
                at=self.when(moment),
            )
            self.needs.append(need)

        return action

    def set_need(self, need_id: int, status: str, product: Product | None = None) -> Action:
        def action(moment: float) -> None:
            need = next(n for n in self.needs if n.pk == need_id)
            if status not in NEXT_STATUSES[need.status]:
                return  # it moved on since this was planned
            fresh = change_need(
                need,
                by=self.owner,
                expected_version=None,
                status=status,
                product=product,
                at=self.when(moment),
            )
            self.needs = [fresh if n.pk == need_id else n for n in self.needs]

        return action

    def needs_with(self, *statuses: str) -> list[Need]:
        return [need for need in self.needs if need.status in statuses]

    def bought_product_for(self, slug: str) -> Product | None:
        """The product the customer bought that addresses a category, if any."""
        name = next((name for name in self.bought if slug in self.world.covers[name]), None)
        return self.world.products[name] if name else None

    def note(self, author: Member, text: str) -> Action:
        return lambda moment: add_note(self.journey, text, by=author.user, at=self.when(moment))
