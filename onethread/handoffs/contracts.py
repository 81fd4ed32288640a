"""Handoff contracts: does the journey hold what the next stage needs?

The checks are pure functions of plain facts about the journey, so they are
tested without a database; `journey_facts` is the one place that reads them."""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from onethread.commitments.models import Commitment
from onethread.customers.models import BuyingRole, Contact
from onethread.journeys.models import Journey
from onethread.needs.models import Need

Rule = Callable[["Facts"], bool]


@dataclass(frozen=True)
class NeedFact:
    status: str
    priority: int


@dataclass(frozen=True)
class CommitmentFact:
    pending: bool
    owner_id: int | None
    due_on: dt.date | None


@dataclass(frozen=True)
class ContactFact:
    buying_role: str
    active: bool


@dataclass(frozen=True)
class Facts:
    needs: tuple[NeedFact, ...]
    commitments: tuple[CommitmentFact, ...]
    contacts: tuple[ContactFact, ...]
    sender_user_id: int | None


def _has_role(facts: Facts, role: str) -> bool:
    return any(contact.active and contact.buying_role == role for contact in facts.contacts)


def _pending(facts: Facts) -> list[CommitmentFact]:
    return [commitment for commitment in facts.commitments if commitment.pending]


RULES: dict[str, Rule] = {
    "need_captured": lambda facts: len(facts.needs) > 0,
    "decision_maker": lambda facts: _has_role(facts, BuyingRole.DECISION_MAKER),
    "stakeholders": lambda facts: (
        _has_role(facts, BuyingRole.DECISION_MAKER) and _has_role(facts, BuyingRole.CHAMPION)
    ),
    "needs_mapped": lambda facts: (
        len(facts.needs) > 0 and all(need.status != Need.Status.OPEN for need in facts.needs)
    ),
    "commitments_owned": lambda facts: all(
        c.owner_id is not None and c.due_on is not None for c in _pending(facts)
    ),
    "commitments_handed_over": lambda facts: all(
        c.owner_id is not None and c.owner_id != facts.sender_user_id for c in _pending(facts)
    ),
}


@dataclass(frozen=True)
class ItemSpec:
    id: int
    label: str
    rule: str
    required: bool


def evaluate(
    items: Iterable[ItemSpec], facts: Facts, answers: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Each item with whether it is met: checked items from the facts,
    confirmed items by the sender's answer."""
    results = []
    for item in items:
        answer = (answers.get(item.id) or "").strip()
        met = bool(answer) if item.rule == "confirmed" else RULES[item.rule](facts)
        results.append(
            {
                "item_id": item.id,
                "label": item.label,
                "rule": item.rule,
                "required": item.required,
                "met": met,
                "answer": answer[:500],
            }
        )
    return results


def completeness(results: list[dict[str, Any]]) -> float:
    """Share of the contract's items that are met (1.0 for an empty contract)."""
    if not results:
        return 1.0
    return sum(1 for result in results if result["met"]) / len(results)


def facts_from(
    needs: Iterable[Need],
    commitments: Iterable[Commitment],
    contacts: Iterable[Contact],
    sender_user_id: int | None,
) -> Facts:
    """The facts from records already loaded (the account page has them)."""
    return Facts(
        needs=tuple(NeedFact(need.status, need.priority) for need in needs),
        commitments=tuple(
            CommitmentFact(c.status in Commitment.PENDING, c.owner_id, c.due_on)
            for c in commitments
        ),
        contacts=tuple(ContactFact(c.buying_role, c.is_active) for c in contacts),
        sender_user_id=sender_user_id,
    )


def journey_facts(journey: Journey, sender_user_id: int | None) -> Facts:
    return Facts(
        needs=tuple(
            NeedFact(status, priority)
            for status, priority in Need.objects.filter(journey=journey).values_list(
                "status", "priority"
            )
        ),
        commitments=tuple(
            CommitmentFact(status in Commitment.PENDING, owner_id, due_on)
            for status, owner_id, due_on in Commitment.objects.filter(journey=journey).values_list(
                "status", "owner_id", "due_on"
            )
        ),
        contacts=tuple(
            ContactFact(role, active)
            for role, active in Contact.objects.filter(account=journey.account_id).values_list(
                "buying_role", "is_active"
            )
        ),
        sender_user_id=sender_user_id,
    )
