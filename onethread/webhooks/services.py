"""Turning journey events into webhook deliveries."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from onethread.journeys.models import JourneyEvent
from onethread.webhooks.models import Delivery, Webhook
from onethread.webhooks.subscriptions import subscribed_event_types
from onethread.webhooks.tasks import enqueue_delivery


def queue_deliveries(event: JourneyEvent) -> list[Delivery]:
    """One delivery per active webhook subscribed to the event's type, in the
    caller's transaction; each is sent by a task enqueued on commit. Costs no
    query when no active webhook wants this type (see subscriptions)."""
    if event.kind not in subscribed_event_types():
        return []
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(active=True).only("id", "event_types")
        if event.kind in webhook.event_types
    ]
    if not webhooks:
        return []
    payload = event_payload(event)
    due = event.recorded_at
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            webhook=webhook,
            event=event,
            event_type=event.kind,
            payload=payload,
            created_at=due,
            next_attempt_at=due,
        )
        for webhook in webhooks
    )
    ids = [delivery.pk for delivery in deliveries]

    def enqueue() -> None:
        for delivery_id in ids:
            enqueue_delivery(delivery_id)

    # robust: a failure to enqueue is logged; the worker's sweep sends it later.
    transaction.on_commit(enqueue, robust=True)
    return deliveries


def event_payload(event: JourneyEvent) -> dict[str, Any]:
    """The body of the event's deliveries (the delivery id goes in front at send time)."""
    journey = event.journey
    owner = journey.owner
    occurred_at = event.occurred_at or event.recorded_at
    stage = journey.stage if journey.stage_id == event.stage_id else event.stage
    return {
        "event": event.kind,
        "occurred_at": occurred_at.isoformat(),
        "journey": {
            "id": journey.pk,
            "account": {"id": journey.account_id, "name": journey.account.name},
            "stage": stage.key,
            "owner": {"id": owner.pk, "name": owner.name} if owner else None,
        },
        "data": event.payload,
        "links": {
            "account": settings.ONETHREAD_BASE_URL
            + reverse("account-thread", args=[journey.account_id]),
        },
    }
