"""Writes to support tickets."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onethread.catalogue.models import Category
from onethread.commitments.models import Commitment
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import EventKind, Journey
from onethread.needs.models import Need
from onethread.support.models import Ticket


@transaction.atomic
def open_ticket(
    journey: Journey,
    subject: str,
    *,
    by: User | None,
    category: Category | None = None,
    priority: int = Ticket.Priority.NORMAL,
    need: Need | None = None,
    commitment: Commitment | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    at = at or timezone.now()
    subject = subject.strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "A ticket needs a subject."
    if priority not in Ticket.Priority.values:
        errors["priority"] = "Unknown priority."
    if need is not None and need.journey_id != journey.pk:
        errors["need"] = "The need belongs to another journey."
    if commitment is not None and commitment.journey_id != journey.pk:
        errors["commitment"] = "The commitment belongs to another journey."
    if errors:
        raise ValidationError(errors)
    ticket = Ticket.objects.create(
        journey=journey,
        subject=subject[:300],
        category=category,
        priority=priority,
        opened_at=at,
        opened_by=by,
        need=need,
        commitment=commitment,
    )
    record_event(
        journey,
        EventKind.TICKET_OPENED,
        by=by,
        occurred_at=at,
        payload={
            "ticket_id": ticket.pk,
            "subject": ticket.subject,
            "category": category.slug if category else None,
            "priority": ticket.get_priority_display(),
        },
    )
    return ticket


@transaction.atomic
def resolve_ticket(
    ticket: Ticket,
    *,
    by: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Ticket:
    at = at or timezone.now()
    ticket = lock_for_edit(ticket, expected_version)
    if ticket.status == Ticket.Status.RESOLVED:
        raise ValidationError({"status": "This ticket is already resolved."})
    changes = apply_changes(ticket, {"status": Ticket.Status.RESOLVED, "resolved_at": at})
    ticket.save()
    record_event(
        ticket.journey,
        EventKind.TICKET_CHANGED,
        by=by,
        occurred_at=at,
        payload={"ticket_id": ticket.pk, "subject": ticket.subject, "changes": changes},
    )
    return ticket
