"""Writes to interactions: conversations with the customer."""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onethread.customers.models import Contact
from onethread.interactions.models import Interaction
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey

SUMMARY_MAX_LENGTH = 5000


@transaction.atomic
def log_interaction(
    journey: Journey,
    *,
    channel: str,
    direction: str,
    summary: str,
    by: User | None,
    contacts: Sequence[Contact] = (),
    occurred_at: dt.datetime | None = None,
) -> Interaction:
    occurred_at = occurred_at or timezone.now()
    summary = summary.strip()
    errors: dict[str, str] = {}
    if channel not in Interaction.Channel.values:
        errors["channel"] = "Unknown channel."
    if direction not in Interaction.Direction.values:
        errors["direction"] = "Direction is inbound or outbound."
    if not summary:
        errors["summary"] = "Say what was discussed."
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = f"Keep a summary under {SUMMARY_MAX_LENGTH} characters."
    if any(contact.account_id != journey.account_id for contact in contacts):
        errors["contacts"] = "Contacts must work at this account."
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = "An interaction cannot be logged in the future."
    if errors:
        raise ValidationError(errors)
    interaction = Interaction.objects.create(
        journey=journey,
        channel=channel,
        direction=direction,
        summary=summary,
        occurred_at=occurred_at,
        stage_id=journey.stage_id,
        logged_by=by,
    )
    if contacts:
        interaction.contacts.set(contacts)
    # Speed to lead: the first touch is the earliest interaction logged.
    Journey.objects.filter(
        Q(first_touch_at__isnull=True) | Q(first_touch_at__gt=occurred_at), pk=journey.pk
    ).update(first_touch_at=occurred_at)
    record_event(
        journey,
        EventKind.INTERACTION_LOGGED,
        by=by,
        occurred_at=occurred_at,
        payload={
            "interaction_id": interaction.pk,
            "channel": channel,
            "direction": direction,
            "summary": summary[:500],
            "contacts": [contact.name for contact in contacts],
        },
    )
    return interaction
