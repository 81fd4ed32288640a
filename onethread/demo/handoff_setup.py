"""The demo company's handoff set-up: which team receives each step, the step
SDRs take alone, who is away (so routing skips them), the contracts and
return reasons every story reads, and how each step's handoffs tend to go."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from onethread.demo import company
from onethread.demo.workdays import WorkClock
from onethread.handoffs.contracts import ItemSpec
from onethread.handoffs.models import ReturnReason, Transition
from onethread.handoffs.services import contract_items
from onethread.team.models import Member, Team

Step = tuple[str, str]

# Handoffs into these stages are received by Customer success; the others stay
# in the sender's team. SDRs move the leads they source themselves without one.
RECEIVED_BY = {
    ("lead", "qualification"): company.NEW_BUSINESS,
    ("qualification", "closing"): company.NEW_BUSINESS,
    ("closing", "onboarding"): company.CUSTOMER_SUCCESS,
    ("onboarding", "adoption"): company.CUSTOMER_SUCCESS,
    ("adoption", "expansion"): company.CUSTOMER_SUCCESS,
}
SELF_SOURCED: Step = ("lead", "qualification")
REASONS = ("missing_information", "wrong_owner", "bad_timing", "not_qualified")


@dataclass(frozen=True)
class Manner:
    """How the handoffs of one transition tend to go."""

    answers: float  # chance the sender answers each item they confirm
    diligence: float  # chance the sender completes checkable items before sending
    returns: tuple[float, float]  # chance of a return: full brief, thin brief
    other_reasons: tuple[str, ...]  # why a full brief is returned
    ratings: tuple[tuple[int, ...], tuple[int, ...]]  # weights of 1..5: full, thin
    routed: float  # chance the sender lets routing choose the receiver
    slowness: float  # multiplies the receiver's answer delay
    asks: float  # chance the new owner asks the sender something on the timeline
    repeats: float  # chance the customer is asked again for a need already known


# New business → Customer success is where context gets lost: thinner briefs,
# slower answers, lower ratings, more returns for missing information.
# fmt: off
MANNERS: dict[Step, Manner] = {
    ("lead", "qualification"): Manner(
        1.0, 1.0, (0.04, 0.04), ("wrong_owner",), ((0, 1, 6, 38, 55), (1, 8, 30, 45, 16)),
        routed=0.7, slowness=0.6, asks=0.05, repeats=0.0,
    ),
    ("qualification", "closing"): Manner(
        0.93, 0.7, (0.06, 0.3), ("not_qualified", "bad_timing", "wrong_owner"),
        ((0, 4, 18, 48, 30), (4, 20, 40, 28, 8)),
        routed=0.4, slowness=1.0, asks=0.08, repeats=0.02,
    ),
    ("closing", "onboarding"): Manner(
        0.6, 0.45, (0.14, 0.5), ("missing_information", "bad_timing"),
        ((2, 12, 38, 36, 12), (16, 40, 32, 10, 2)),
        routed=0.5, slowness=1.5, asks=0.2, repeats=0.02,
    ),
    ("onboarding", "adoption"): Manner(
        0.9, 0.7, (0.05, 0.2), ("wrong_owner", "bad_timing"),
        ((0, 3, 20, 47, 30), (3, 15, 40, 32, 10)),
        routed=0.5, slowness=1.0, asks=0.1, repeats=0.01,
    ),
    ("adoption", "expansion"): Manner(
        1.0, 1.0, (0.04, 0.04), ("bad_timing",), ((0, 2, 12, 46, 40), (2, 10, 35, 40, 13)),
        routed=0.5, slowness=1.0, asks=0.08, repeats=0.0,
    ),
}
# fmt: on
class Roster:
    """Who takes new work when: one member is away from a moment on, and routing
    skips them. Stories are told one account at a time, so the flag follows the
    moment of each handoff."""

    def __init__(self, away: Member, since: float) -> None:
        self.away, self.since = away, since

    def is_away(self, member: Member, moment: float) -> bool:
        return member.pk == self.away.pk and moment >= self.since

    def at(self, moment: float) -> None:
        available = moment < self.since
        if self.away.is_available != available:
            self.away.is_available = available
            self.away.save(update_fields=["is_available"])


@dataclass(frozen=True)
class Desk:
    """The handoff configuration every story works with."""

    transitions: dict[Step, Transition]
    contracts: dict[Step, list[ItemSpec]]
    reasons: dict[str, ReturnReason]
    roster: Roster
    now: dt.datetime


def configure(
    teams: dict[str, Team], members: dict[str, Member], clock: WorkClock, now: dt.datetime
) -> Desk:
    """Set the demo's receiving teams and self-sourced step, and read the contracts."""
    transitions = {
        (row.from_stage.key, row.to_stage.key): row
        for row in Transition.objects.select_related("from_stage", "to_stage")
    }
    reasons = {row.key: row for row in ReturnReason.objects.filter(is_active=True)}
    missing = [f"{a} → {b}" for a, b in RECEIVED_BY if (a, b) not in transitions]
    missing += [key for key in REASONS if key not in reasons]
    if missing:
        raise ValidationError(
            f"The demo needs the default handoffs; missing: {', '.join(missing)}."
        )
    for step, team_name in RECEIVED_BY.items():
        transitions[step].receiving_team = teams[team_name]
        transitions[step].requires_handoff = step != SELF_SOURCED
        transitions[step].save(update_fields=["receiving_team", "requires_handoff"])
    username, days, _ = company.AWAY
    return Desk(
        transitions=transitions,
        contracts={step: contract_items(row) for step, row in transitions.items()},
        reasons=reasons,
        roster=Roster(members[username], clock.moment(now) - days),
        now=now,
    )
