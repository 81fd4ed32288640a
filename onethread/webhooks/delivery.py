"""Sending one delivery: claim it, POST it signed, record the attempt, and
decide what comes next (delivered, another try later, or failed).

The row is locked only to claim it and to record the outcome, never during
the POST: on SQLite a lock held for the request would stall every write.
The claim pushes next_attempt_at a lease ahead, so a second task for the
same delivery finds it not due and skips it; a delivered or failed one is
never sent again."""

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from onethread.webhooks import sending
from onethread.webhooks.models import Delivery, DeliveryAttempt
from onethread.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    retry_delay,
    sign,
)

# Longer than a POST can take: a claimed delivery is not due again before.
LEASE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Outcome:
    status: str  # "delivered", "retry", "failed" or "skipped"
    retry_at: dt.datetime | None = None


def delivery_body(delivery: Delivery) -> bytes:
    return json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":")).encode()


def attempt_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> Outcome:
    """Make one attempt if the delivery is pending and due."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome("skipped")
    body = delivery_body(delivery)
    headers = {
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body, int(now.timestamp())),
        DELIVERY_HEADER: str(delivery.pk),
        EVENT_HEADER: delivery.event_type,
    }
    response = sending.post(delivery.webhook.url, body, headers)
    return _record(delivery_id, response, now)


@transaction.atomic
def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("webhook")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None
    if not delivery.webhook.active:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "Not sent: the webhook was deactivated."
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        return None
    delivery.next_attempt_at = now + LEASE
    delivery.save(update_fields=["next_attempt_at"])
    return delivery


@transaction.atomic
def _record(delivery_id: int, response: sending.Response, at: dt.datetime) -> Outcome:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=at,
        status_code=response.status_code,
        error=response.error,
        duration_ms=response.duration_ms,
    )
    delivery.attempts += 1
    delivery.last_status_code = response.status_code
    delivery.last_error = response.error
    outcome = _next_step(delivery, response, at)
    delivery.save()
    return outcome


def _next_step(delivery: Delivery, response: sending.Response, at: dt.datetime) -> Outcome:
    if delivery.status != Delivery.Status.PENDING:
        return Outcome("skipped")  # answered meanwhile by another worker after a lost lease
    if response.ok:
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = at
        delivery.next_attempt_at = None
        return Outcome("delivered")
    delay = retry_delay(delivery.attempts)
    if delay is None:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        return Outcome("failed")
    delivery.next_attempt_at = at + delay
    return Outcome("retry", delivery.next_attempt_at)


def due_delivery_ids(now: dt.datetime, *, late_by: dt.timedelta, limit: int = 500) -> list[int]:
    """Pending deliveries due for more than `late_by`: their task was lost
    (a crash, a failed enqueue) or their backend cannot defer a retry."""
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now - late_by)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
