"""Promises and support tickets in a demo story. A promise decides its fate
when it is made (kept, broken, renegotiated, or left open until it is overdue)
and schedules it; a ticket schedules its resolution."""

from typing import TYPE_CHECKING

from django.contrib.auth.models import User

from onethread.commitments.models import Commitment
from onethread.commitments.services import (
    make_commitment,
    renegotiate_commitment,
    settle_commitment,
)
from onethread.demo import company
from onethread.demo.workdays import Action
from onethread.support.models import Ticket
from onethread.support.services import open_ticket, resolve_ticket
from onethread.team.models import Member, Role

if TYPE_CHECKING:
    from onethread.demo.story import Story


def promise(story: "Story", text: str, keeper: Member, due: float | None = None) -> Action:
    """Promise something to the customer; due at `due`, or within days of saying it."""

    def action(moment: float) -> None:
        due_at = max(due or 0.0, moment + story.rng.uniform(2, 8))
        commitment = make_commitment(
            story.journey,
            text.format(segment=story.plan.segment),
            by=story.owner,
            owner=keeper.user,
            due_on=story.world.clock.at(due_at).date(),
            at=story.when(moment),
        )
        _decide_fate(story, commitment, keeper.user, moment, due_at, renegotiable=True)

    return action


def _decide_fate(
    story: "Story",
    commitment: Commitment,
    keeper: User,
    made: float,
    due: float,
    *,
    renegotiable: bool,
) -> None:
    roll = story.rng.random()
    if roll < 0.66:
        when = max(made + 0.1, due - story.rng.uniform(0, 4))
        story.schedule(when, _settle(story, commitment, keeper, Commitment.Status.KEPT, ""))
    elif roll < 0.78:
        note = story.rng.choice(company.BROKEN_NOTES)
        when = due + story.rng.uniform(2, 10)
        story.schedule(when, _settle(story, commitment, keeper, Commitment.Status.BROKEN, note))
    elif roll < 0.92 and renegotiable:
        when = max(made + 0.1, due - story.rng.uniform(0, 3))
        story.schedule(
            when, _renegotiate(story, commitment, keeper, due + story.rng.uniform(10, 30))
        )
    # Otherwise nobody settles it: it stays open, and overdue once its date passes.


def _settle(story: "Story", commitment: Commitment, keeper: User, status: str, note: str) -> Action:
    return lambda moment: settle_commitment(
        commitment, status, by=keeper, expected_version=None, note=note, at=story.when(moment)
    )


def _renegotiate(story: "Story", commitment: Commitment, keeper: User, new_due: float) -> Action:
    def action(moment: float) -> None:
        renegotiate_commitment(
            commitment,
            by=keeper,
            expected_version=None,
            due_on=story.world.clock.at(new_due).date(),
            note=story.rng.choice(company.RENEGOTIATION_NOTES),
            at=story.when(moment),
        )
        _decide_fate(story, commitment, keeper, moment, new_due, renegotiable=False)

    return action


def ticket(story: "Story") -> Action:
    """The customer reports a problem; support opens a ticket, often about a known need."""

    def action(moment: float) -> None:
        known = [need for need in story.needs if story.world.slug(need)]
        need = story.rng.choice(known) if known and story.rng.random() < 0.35 else None
        slug = story.world.slug(need) if need else story.rng.choice(company.CATEGORIES)[0]
        priority = story.rng.choices([1, 2, 3, 4], weights=[10, 25, 50, 15])[0]
        support = story.world.with_role(Role.SUPPORT)[0].user
        opened = open_ticket(
            story.journey,
            story.rng.choice(company.TICKETS[slug]),
            by=support,
            category=story.world.categories[slug],
            priority=priority,
            need=need,
            at=story.when(moment),
        )
        urgent = priority <= Ticket.Priority.HIGH
        days = story.rng.triangular(0.05, 3, 0.3) if urgent else story.rng.triangular(0.1, 20, 1)
        story.schedule(moment + days, _resolve(story, opened, support))

    return action


def _resolve(story: "Story", opened: Ticket, by: User) -> Action:
    return lambda moment: resolve_ticket(
        opened, by=by, expected_version=None, at=story.when(moment)
    )
