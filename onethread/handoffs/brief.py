"""The handoff brief: what the receiver needs to know, assembled from the
journey's records at send time and frozen in the handoff."""

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from onethread.commitments.models import Commitment
from onethread.customers.models import BuyingRole, Contact
from onethread.interactions.models import Interaction
from onethread.journeys.models import Journey
from onethread.needs.models import Need
from onethread.support.models import Ticket

RECENT_INTERACTIONS = 5
SILENCE_DAYS = 14


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def assemble_brief(journey: Journey, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    needs = list(
        Need.objects.filter(journey=journey).select_related(
            "category", "product", "captured_by", "captured_at_stage"
        )
    )
    commitments = list(
        Commitment.objects.filter(journey=journey).select_related(
            "owner", "made_by", "made_at_stage"
        )
    )
    contacts = list(Contact.objects.filter(account=journey.account_id))
    interactions = list(Interaction.objects.filter(journey=journey).order_by("-occurred_at", "-id"))
    open_tickets = list(
        Ticket.objects.filter(journey=journey, status=Ticket.Status.OPEN).order_by("priority")
    )
    return {
        "account": {
            "name": journey.account.name,
            "segment": journey.account.segment,
            "employees": journey.account.employees,
            "domain": journey.account.domain,
        },
        "journey": {
            "stage": journey.stage.name,
            "source": journey.source,
            "opened_at": _when(journey.opened_at),
            "days_in_stage": journey.days_in_stage(now),
            "speed_to_lead_hours": (
                round(journey.speed_to_lead.total_seconds() / 3600, 1)
                if journey.speed_to_lead is not None
                else None
            ),
        },
        "needs": [
            {
                "id": need.pk,
                "statement": need.statement,
                "status": need.status,
                "priority": need.get_priority_display(),
                "category": need.category.name if need.category else None,
                "product": need.product.name if need.product else None,
                "captured_by": _name(need.captured_by),
                "captured_at_stage": need.captured_at_stage.name,
            }
            for need in needs
        ],
        "commitments": [
            {
                "id": commitment.pk,
                "promise": commitment.promise,
                "status": commitment.status,
                "owner": _name(commitment.owner),
                "due_on": commitment.due_on.isoformat() if commitment.due_on else None,
                "overdue": commitment.is_overdue(today),
                "made_by": _name(commitment.made_by),
                "made_at_stage": commitment.made_at_stage.name,
            }
            for commitment in commitments
        ],
        "contacts": [
            {
                "name": contact.name,
                "title": contact.title,
                "buying_role": contact.get_buying_role_display(),
                "active": contact.is_active,
            }
            for contact in contacts
        ],
        "risks": risks(journey, needs, commitments, contacts, interactions, open_tickets, now),
        "interactions": {
            "count": len(interactions),
            "by_channel": dict(Counter(i.get_channel_display() for i in interactions)),
            "first_at": _when(interactions[-1].occurred_at) if interactions else None,
            "last_at": _when(interactions[0].occurred_at) if interactions else None,
            "recent": [
                {
                    "at": _when(interaction.occurred_at),
                    "channel": interaction.get_channel_display(),
                    "direction": interaction.direction,
                    "summary": interaction.summary[:300],
                }
                for interaction in interactions[:RECENT_INTERACTIONS]
            ],
        },
        "open_tickets": [
            {"subject": ticket.subject, "priority": ticket.get_priority_display()}
            for ticket in open_tickets
        ],
    }


def risks(
    journey: Journey,
    needs: list[Need],
    commitments: list[Commitment],
    contacts: list[Contact],
    interactions: list[Interaction],
    open_tickets: list[Ticket],
    now: dt.datetime,
) -> list[str]:
    """What could go wrong next, in plain words."""
    today = timezone.localdate(now)
    found = []
    for commitment in commitments:
        if commitment.is_overdue(today):
            found.append(f"Overdue promise: “{commitment.promise}” (due {commitment.due_on}).")
        elif commitment.status == Commitment.Status.BROKEN:
            found.append(f"Broken promise: “{commitment.promise}”.")
    unmet = [need for need in needs if need.status == Need.Status.UNMET]
    if unmet:
        found.append(
            f"{len(unmet)} need(s) we do not meet: " + "; ".join(n.statement for n in unmet[:3])
        )
    active_roles = {contact.buying_role for contact in contacts if contact.is_active}
    if BuyingRole.DECISION_MAKER not in active_roles:
        found.append("No decision maker identified.")
    if any(c.buying_role == BuyingRole.CHAMPION and not c.is_active for c in contacts):
        found.append("A champion has left the account.")
    if BuyingRole.BLOCKER in active_roles:
        found.append("A blocker is involved.")
    last_touch = interactions[0].occurred_at if interactions else None
    if last_touch is None:
        found.append("No interaction logged yet.")
    elif now - last_touch > dt.timedelta(days=SILENCE_DAYS):
        found.append(f"No interaction for {(now - last_touch).days} days.")
    urgent = [ticket for ticket in open_tickets if ticket.priority <= Ticket.Priority.HIGH]
    if urgent:
        found.append(f"{len(urgent)} urgent or high-priority ticket(s) open.")
    return found
