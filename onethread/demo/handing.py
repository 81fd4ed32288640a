"""Handoffs in a demo story. A journey crosses each contracted step through a
handoff: the sender answers the contract (or overrides what is missing) and
sends; after a believable delay the receiver accepts and rates it, or returns
it with a reason, and the sender completes it and sends again. A handoff that
waits past its SLA is flagged overdue when the minute sweep would have seen
it. A few handoffs still wait for an answer today."""

import datetime as dt
import random
from typing import TYPE_CHECKING

from onethread.commitments.models import Commitment
from onethread.commitments.services import renegotiate_commitment
from onethread.customers.models import BuyingRole
from onethread.demo import afterwards
from onethread.demo import handoff_words as words
from onethread.demo.handoff_setup import MANNERS, Desk, Step
from onethread.demo.workdays import HOUR, MINUTE, Action
from onethread.handoffs.contracts import ItemSpec, evaluate, journey_facts
from onethread.handoffs.models import Handoff
from onethread.handoffs.services import (
    accept_handoff,
    flag_overdue_handoffs,
    return_handoff,
    send_handoff,
)
from onethread.needs.models import Need
from onethread.team.models import Member

if TYPE_CHECKING:
    from onethread.demo.story import Story

SWEEP = dt.timedelta(minutes=1)  # how often the worker flags overdue handoffs

# What the sender does before sending a returned handoff again.
FOLLOW_UPS: dict[str, tuple[str, str, str]] = {
    "not_qualified": (
        "call",
        "outbound",
        "Second discovery call with {contact}: volume and budget owner confirmed.",
    ),
    "bad_timing": ("email", "inbound", "{contact} wrote that they are ready to start now."),
}


def crosses_directly(story: "Story", step: Step) -> bool:
    """No handoff: no transition, or one that does not require it and the owner
    works the next stage too."""
    transition = story.world.desk.transitions.get(step)
    if transition is None:
        return True
    return not transition.requires_handoff and story.owners[step[1]] == story.owner.username


def answer_delay(rng: random.Random, slowness: float) -> float:
    """Working time until the receiver answers: mostly within hours, sometimes a day or two."""
    roll = rng.random()
    if roll < 0.45:
        delay = rng.uniform(5, 60) * MINUTE
    elif roll < 0.75:
        delay = rng.uniform(1, 6) * HOUR
    elif roll < 0.9:
        delay = rng.uniform(0.6, 1.0)
    else:
        delay = rng.uniform(1.0, 2.5)
    return delay * slowness


def plan_exchange(story: "Story", index: int, entered: float) -> float:
    """Schedule the handoff into stage `index` of the plan, answered by the
    moment the plan enters it; return when the first one is sent."""
    target = story.plan.entered[index]
    if story.plan.pending and index == len(story.plan.path) - 1:
        exchange = Exchange(story, index, (0.0, 0.0, 0.0))
        story.schedule(target, exchange.start, forced=True)
        return target
    manner = MANNERS[(story.plan.path[index - 1], story.plan.path[index])]
    delays = (
        answer_delay(story.rng, manner.slowness),
        story.rng.triangular(0.5 * HOUR, 1.5, 3 * HOUR),
        answer_delay(story.rng, manner.slowness),
    )
    scale = min(1.0, 0.4 * max(target - entered, 10 * MINUTE) / sum(delays))
    exchange = Exchange(story, index, (delays[0] * scale, delays[1] * scale, delays[2] * scale))
    first = target - sum(delays) * scale
    story.schedule(first, exchange.start, forced=True)
    return first


class Exchange:
    """One contracted step of a story: send, answer, maybe return and send again."""

    def __init__(self, story: "Story", index: int, delays: tuple[float, float, float]) -> None:
        self.story, self.index, self.rng = story, index, story.rng
        self.step: Step = (story.plan.path[index - 1], story.plan.path[index])
        self.manner = MANNERS[self.step]
        self.delays = delays  # first answer, sender's fix, second answer
        self.pending = story.plan.pending and index == len(story.plan.path) - 1
        self.attempt = 0
        self.thin = False  # the receiver got less than the contract asks at some attempt
        self.handoff: Handoff | None = None
        self.keeper: Member | None = None  # who the sender handed their open promises to

    @property
    def desk(self) -> Desk:
        return self.story.world.desk

    def start(self, moment: float) -> None:
        if self.step[0] == "closing":
            self.story.win(moment)
        self.send(moment, self.choose_receiver(moment))

    def choose_receiver(self, moment: float) -> Member | None:
        """The planned owner of the next stage, by name when they hold promises on
        the account or the sender picks them; otherwise routing decides."""
        planned = self.story.world.members[self.story.owners[self.step[1]]]
        if planned.pk == self.story.owner_member.pk or self.desk.roster.is_away(planned, moment):
            return None
        holds_promises = Commitment.objects.filter(
            journey=self.story.journey, owner=planned.user, status__in=Commitment.PENDING
        ).exists()
        return planned if holds_promises or self.rng.random() >= self.manner.routed else None

    # Sending

    def send(self, moment: float, to_member: Member | None) -> None:
        self.attempt += 1
        self.desk.roster.at(moment)
        if to_member is not None and self.desk.roster.is_away(to_member, moment):
            to_member = None  # they stopped taking new work since: routing decides
        answers, missing, override = self.prepare(moment, to_member)
        to_member = to_member or self.keeper
        returned = self.decide(thin=bool(missing))
        if returned == "missing_information" and not missing:
            answers = {item_id: self.rng.choice(words.VAGUE_ANSWERS) for item_id in answers}
        self.thin = self.thin or bool(missing) or returned == "missing_information"
        sent = moment + 2 * MINUTE
        story = self.story
        self.handoff = send_handoff(
            story.journey,
            by=story.owner,
            to_stage=story.world.stages[self.step[1]],
            to_member=to_member,
            answers=answers,
            note=self.note() if self.attempt == 1 else self.resend_note(),
            open_questions=self.open_questions(),
            override_reason=override,
            at=story.when(sent),
        )
        if self.pending:
            self.watch(self.handoff, self.desk.now)
            return
        answered = sent + self.delays[0 if self.attempt == 1 else 2]
        self.watch(self.handoff, story.world.clock.at(answered))
        action = self.give_back(returned) if returned else self.accept
        story.schedule(answered, action, forced=True)

    def prepare(
        self, moment: float, to_member: Member | None
    ) -> tuple[dict[int, str], list[str], str]:
        """The sender's answers, what is still missing, and why they send anyway.
        A diligent sender, or one sending again, completes what they can first."""
        complete = self.attempt > 1
        items = self.desk.contracts[self.step]
        if not items:
            return {}, [], ""
        answers = {
            item.id: self.answer(item)
            for item in items
            if item.rule == "confirmed" and (complete or self.rng.random() < self.manner.answers)
        }
        missing = self.missing(items, answers)
        fixable = [item for item in missing if item.rule != "confirmed"]
        if fixable and (complete or self.rng.random() < self.manner.diligence):
            for item in fixable:
                self.complete(item.rule, moment, to_member)
            missing = self.missing(items, answers)
        if not missing:
            return answers, [], ""
        first = missing[0]
        options = words.OVERRIDES.get(first.rule, words.OVERRIDES["confirmed"])
        override = self.rng.choice(options).format(**self.story.words())
        return answers, [item.label for item in missing], override

    def missing(self, items: list[ItemSpec], answers: dict[int, str]) -> list[ItemSpec]:
        facts = journey_facts(self.story.journey, self.story.owner.pk)
        met = {result["item_id"]: result["met"] for result in evaluate(items, facts, answers)}
        return [item for item in items if item.required and not met[item.id]]

    def answer(self, item: ItemSpec) -> str:
        options = words.ANSWERS.get(item.label, (words.GENERIC_ANSWER,))
        return self.rng.choice(options).format(**self.story.words())

    def complete(self, rule: str, moment: float, to_member: Member | None) -> None:
        """What the sender does to meet a checkable contract item."""
        story = self.story
        if rule in ("decision_maker", "stakeholders"):
            if rule == "stakeholders" and story.contact(BuyingRole.CHAMPION) is None:
                story.add_person(BuyingRole.CHAMPION)(moment)
            if story.contact(BuyingRole.DECISION_MAKER) is None:
                story.add_person(BuyingRole.DECISION_MAKER)(moment)
        elif rule == "need_captured":
            story.need()(moment)
        elif rule == "needs_mapped":
            for need in story.needs_with(Need.Status.OPEN):
                product = story.bought_product_for(story.world.slug(need))
                status = Need.Status.ADDRESSED if product else Need.Status.UNMET
                story.set_need(need.pk, status, product)(moment)
        elif rule == "commitments_handed_over":
            self.hand_over_promises(moment, to_member)

    def hand_over_promises(self, moment: float, to_member: Member | None) -> None:
        """The sender's open promises go to the receiver they name, or to the
        colleague planned for the next stage, who is then named."""
        story = self.story
        keeper = to_member or story.world.members[story.owners[self.step[1]]]
        if keeper.pk == story.owner_member.pk or self.desk.roster.is_away(keeper, moment):
            return
        for commitment in Commitment.objects.filter(
            journey=story.journey, owner=story.owner, status__in=Commitment.PENDING
        ):
            renegotiate_commitment(
                commitment,
                by=story.owner,
                expected_version=None,
                owner=keeper.user,
                note=words.HANDED_OVER,
                at=story.when(moment),
            )
        self.keeper = keeper

    def decide(self, *, thin: bool) -> str | None:
        """Will the receiver return it, and why? Only a first handoff is returned."""
        if self.pending or self.attempt > 1:
            return None
        if self.rng.random() >= self.manner.returns[thin]:
            return None
        if thin and self.rng.random() < 0.85:
            return "missing_information"
        return self.rng.choice(self.manner.other_reasons)

    def note(self) -> str:
        story = self.story
        if self.step == ("closing", "onboarding"):
            champion = story.contact(BuyingRole.CHAMPION)
            decider = story.contact(BuyingRole.DECISION_MAKER)
            promises = Commitment.objects.filter(
                journey=story.journey, status__in=Commitment.PENDING
            ).count()
            return words.WON_NOTE.format(
                **story.words(
                    champion=champion.name if champion else "none named",
                    decider=decider.name if decider else "not met",
                    promises=(
                        "No open promises"
                        if not promises
                        else f"{promises} open promise{'s' if promises > 1 else ''}, "
                        "see commitments"
                    ),
                )
            )
        return self.rng.choice(words.NOTES[self.step]).format(**story.words())

    def resend_note(self) -> str:
        return "Completed what was missing; sending it again."

    def open_questions(self) -> str:
        options = words.OPEN_QUESTIONS.get(self.step, ())
        if not options or self.rng.random() >= 0.35:
            return ""
        return self.rng.choice(options).format(**self.story.words())

    def watch(self, handoff: Handoff, answered: dt.datetime) -> None:
        """Flag the handoff overdue at the first sweep after its deadline, when
        that comes before it is answered (or before now, while it waits)."""
        swept = handoff.due_at.replace(second=0, microsecond=0) + SWEEP
        if swept > answered:
            return
        clock = self.story.world.clock

        def action(moment: float) -> None:
            self.story.when(moment)
            flag_overdue_handoffs(now=swept)

        self.story.schedule(clock.moment(swept), action, forced=True)

    # Answering

    def receiver(self) -> Member:
        assert self.handoff is not None
        return self.handoff.to_member

    def give_back(self, reason: str) -> Action:
        def action(moment: float) -> None:
            assert self.handoff is not None
            receiver, next_receiver = self.receiver(), self.receiver()
            chosen = reason
            if chosen == "wrong_owner":
                other = self.colleague_of(receiver, moment)
                if other is None:
                    chosen = "bad_timing"
                else:
                    next_receiver = other
            comment = self.return_comment(chosen, next_receiver)
            self.handoff = return_handoff(
                self.handoff,
                by=receiver.user,
                reason=self.desk.reasons[chosen],
                comment=comment,
                at=self.story.when(moment),
            )
            self.story.schedule(
                moment + self.delays[1], self.send_again(chosen, next_receiver), forced=True
            )

        return action

    def colleague_of(self, receiver: Member, moment: float) -> Member | None:
        """Someone else in the receiver's team and role who takes new work."""
        sender = self.story.owner_member
        others = [
            member
            for member in self.story.world.with_role(receiver.role)
            if member.team_id == receiver.team_id
            and member.pk not in (receiver.pk, sender.pk)
            and not self.desk.roster.is_away(member, moment)
        ]
        return others[0] if others else None

    def return_comment(self, reason: str, other: Member) -> str:
        assert self.handoff is not None
        if reason == "missing_information":
            labels = self.handoff.missing_required
            if not labels:
                return self.rng.choice(words.VAGUE_RETURN)
            text = self.rng.choice(words.RETURN_COMMENTS[reason])
            return text.format(missing="; ".join(label.lower() for label in labels))
        text = self.rng.choice(words.RETURN_COMMENTS[reason])
        return text.format(other=other.user.first_name)

    def send_again(self, reason: str, to_member: Member) -> Action:
        def action(moment: float) -> None:
            follow_up = FOLLOW_UPS.get(reason)
            if follow_up:
                self.story.talk(moment, follow_up)
            self.send(moment + MINUTE, to_member)

        return action

    def accept(self, moment: float) -> None:
        assert self.handoff is not None
        receiver, sender = self.receiver(), self.story.owner_member
        rating = self.rng.choices(range(1, 6), weights=self.manner.ratings[self.thin])[0]
        accept_handoff(
            self.handoff,
            by=receiver.user,
            rating=rating,
            missing=self.feedback(rating),
            at=self.story.when(moment),
        )
        leave = self.story.arrive(self.index, receiver, moment)
        afterwards.follow_up(self, sender, moment, leave)

    def feedback(self, rating: int) -> list[str]:
        """What the receiver says was missing: the contract items the brief lacked,
        and often something the contract does not ask for."""
        assert self.handoff is not None
        named = list(self.handoff.missing_required)
        extra = words.MISSING_FEEDBACK.get(self.step, ())
        if extra and ((rating <= 3 and self.rng.random() < 0.7) or self.rng.random() < 0.1):
            named.append(self.rng.choice(extra))
        return named
