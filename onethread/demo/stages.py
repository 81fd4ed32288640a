"""What happens in each stage of a demo journey, as an ordered list of actions
the story spreads over the time the journey spends there."""

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from onethread.customers.models import BuyingRole
from onethread.demo import aftercare, company, selling
from onethread.demo.workdays import MINUTE, Action
from onethread.needs.models import Need

if TYPE_CHECKING:
    from onethread.demo.story import Story

Recipe = Callable[["Story", float, float], list[Action]]
# Stages whose first conversation (in company.CONVERSATIONS) opens them.
OPENED = ("qualification", "closing", "onboarding", "expansion")


def _chatter(story: "Story", actions: list[Action], stage: str, count: int) -> list[Action]:
    """Slip `count` ordinary conversations between the actions (never before the
    first). A stage's opening conversation is not repeated."""
    pool = company.CONVERSATIONS[stage][1 if stage in OPENED else 0 :]
    if count <= len(pool):
        lines = story.rng.sample(pool, count)
    else:
        lines = story.rng.choices(pool, k=count)
    for line in lines:
        position = story.rng.randint(1, len(actions)) if actions else 0
        actions.insert(position, story.conversation(line))
    return actions


def _opening(story: "Story", stage: str) -> Action:
    return story.conversation(company.CONVERSATIONS[stage][0])


def _next_stage(story: "Story", stage: str) -> str | None:
    path = story.plan.path
    index = path.index(stage)
    return path[index + 1] if index + 1 < len(path) else None


def speed_to_lead(source: str, rng: random.Random) -> float:
    """Working time from a lead's creation to its first touch: an SDR's cold
    email goes out at once; inbound leads wait minutes, hours, sometimes days."""
    if source == "outbound":
        return rng.uniform(2, 20) * MINUTE
    roll = rng.random()
    if roll < 0.35:
        return rng.uniform(3, 59) * MINUTE
    if roll < 0.7:
        return rng.uniform(1, 8) * 60 * MINUTE
    if roll < 0.9:
        return rng.uniform(1, 3)
    return rng.uniform(3, 8)


def lead(story: "Story", start: float, end: float) -> list[Action]:
    """The contact comes with the lead; the first touch follows at the lead's
    speed (never, for a few still waiting), and the rest after it."""
    rng = story.rng
    roles = [BuyingRole.CHAMPION, BuyingRole.USER, BuyingRole.OTHER]
    role = rng.choices(roles, weights=[3, 4, 3])[0]
    story.schedule(start + rng.uniform(0.5, 1.5) * MINUTE, story.add_person(role))
    if story.plan.untouched:
        return []
    touch = start + max(2 * MINUTE, min(speed_to_lead(story.plan.source, rng), 0.6 * (end - start)))
    story.schedule(touch, story.first_touch)
    actions = [story.need()] if rng.random() < 0.3 else []
    story.spread(_chatter(story, actions, "lead", rng.choice([0, 0, 1])), touch, end)
    return []


def qualification(story: "Story", start: float, end: float) -> list[Action]:
    rng = story.rng
    actions: list[Action] = []
    if story.contact(BuyingRole.CHAMPION) is None and rng.random() < 0.85:
        actions.append(story.add_person(BuyingRole.CHAMPION))
    actions.append(_opening(story, "qualification"))
    if story.contact(BuyingRole.DECISION_MAKER) is None and rng.random() < 0.65:
        actions.append(story.add_person(BuyingRole.DECISION_MAKER))
    actions += [story.need() for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    if rng.random() < 0.3:
        text = (
            f"Qualified: {story.plan.employees} staff, {story.plan.sites} sites, came in "
            f"through {story.plan.source.replace('_', ' ')}. Next: a demo with an AE."
        )
        actions.append(story.note(story.owner_member, text))
    return _chatter(story, actions, "qualification", rng.randint(0, 1))


def closing(story: "Story", start: float, end: float) -> list[Action]:
    rng = story.rng
    outcome = _next_stage(story, "closing")
    members = story.world.members
    actions: list[Action] = []
    unmet = story.contact(BuyingRole.DECISION_MAKER) is None
    if unmet and rng.random() < (0.8 if outcome == "onboarding" else 0.6):
        actions.append(story.add_person(BuyingRole.DECISION_MAKER))
    if rng.random() < 0.2:
        actions.append(story.add_person(BuyingRole.BLOCKER))
    actions.append(_opening(story, "closing"))
    actions += [story.need() for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    if rng.random() < 0.5:
        text = rng.choice(company.PRESALE_PROMISES)
        actions.append(aftercare.promise(story, text, story.owner_member))
    has_deal = outcome is not None or rng.random() < 0.8
    closes = end if outcome else end + rng.uniform(5, 30)
    if has_deal:
        actions.append(selling.new_business(story, closes))
    if outcome == "onboarding" or (outcome is None and has_deal and rng.random() < 0.5):
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.7:
                keeper = members[story.plan.owners["onboarding"]]
                text, due = rng.choice(company.ONBOARDING_PROMISES), closes + rng.uniform(10, 40)
            else:
                keeper = members[story.plan.owners["adoption"]]
                text, due = rng.choice(company.CSM_PROMISES), closes + rng.uniform(40, 90)
            actions.append(aftercare.promise(story, text, keeper, due))
    if rng.random() < 0.25:
        manager = story.world.manager_of(company.NEW_BUSINESS)
        topic = story.world.categories[story.topic].name.lower()
        text = f"Deal review: push for a two-year term; their biggest worry is {topic}."
        actions.append(story.note(manager, text))
    return _chatter(story, actions, "closing", rng.randint(1, 2))


def onboarding(story: "Story", start: float, end: float) -> list[Action]:
    rng = story.rng
    actions: list[Action] = [_opening(story, "onboarding")]
    if rng.random() < 0.4:
        actions.append(aftercare.ticket(story))
    for need in story.needs_with(Need.Status.ADDRESSED):
        if rng.random() < 0.25:
            actions.append(story.set_need(need.pk, Need.Status.DELIVERED))
    return _chatter(story, actions, "onboarding", rng.randint(0, 1))


def adoption(story: "Story", start: float, end: float) -> list[Action]:
    rng = story.rng
    span = end - start
    churns = "churned" in story.plan.path
    actions: list[Action] = [
        aftercare.ticket(story) for _ in range(rng.randint(0, 1 + int(span / 70)))
    ]
    outcomes: list[Action] = []
    for need in story.needs_with(Need.Status.ADDRESSED):
        roll = rng.random()
        if roll < (0.3 if churns else 0.65):
            outcomes.append(story.set_need(need.pk, Need.Status.DELIVERED))
        elif roll > (0.75 if churns else 0.9):
            outcomes.append(story.set_need(need.pk, Need.Status.UNMET))
    for need in story.needs_with(Need.Status.OPEN):
        if rng.random() < 0.4:
            outcomes.append(story.set_need(need.pk, Need.Status.UNMET))
    actions += outcomes  # value is verified later in the stage
    if rng.random() < 0.25:
        manager = story.world.manager_of(company.CUSTOMER_SUCCESS)
        actions.append(story.note(manager, rng.choice(company.MANAGER_REVIEWS)))
    check_ins = max(1, min(4, int(span / 60)))
    return _chatter(story, actions, "adoption", check_ins)


def expansion(story: "Story", start: float, end: float) -> list[Action]:
    rng = story.rng
    actions: list[Action] = [_opening(story, "expansion")]
    actions += [story.need(beyond_purchase=True) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.75:
        closes = end if story.plan.is_closed else end + rng.uniform(10, 40)
        actions.append(selling.expansion(story, closes, wins=rng.random() < 0.6))
    if rng.random() < 0.3:
        actions.append(aftercare.ticket(story))
    return _chatter(story, actions, "expansion", rng.randint(0, 1))


STAGE_CONTENT: dict[str, Recipe] = {
    "lead": lead,
    "qualification": qualification,
    "closing": closing,
    "onboarding": onboarding,
    "adoption": adoption,
    "expansion": expansion,
}
