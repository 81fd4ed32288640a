"""Outgoing webhooks: where journey events are sent, and the log of every
delivery and attempt."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from onethread.journeys.models import EventKind, JourneyEvent

# The journey events a webhook can subscribe to.
EVENT_TYPES = [
    EventKind.HANDOFF_SENT,
    EventKind.HANDOFF_ACCEPTED,
    EventKind.HANDOFF_RETURNED,
    EventKind.HANDOFF_OVERDUE,
    EventKind.STAGE_ENTERED,
    EventKind.SIGNAL_RAISED,
]
EVENT_TYPE_CHOICES = [(kind.value, kind.label) for kind in EVENT_TYPES]


def generate_secret() -> str:
    return secrets.token_hex(32)


def validate_event_types(value: Any) -> None:
    allowed = {kind.value for kind in EVENT_TYPES}
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Event types must be a list of event names.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(
            f"Unknown event types: {', '.join(unknown)}. Choose among {', '.join(sorted(allowed))}."
        )


class Webhook(models.Model):
    """An HTTP endpoint that receives the journey events it subscribes to,
    signed with its secret."""

    name = models.CharField(max_length=100)
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Receives a POST with a JSON body for each event (http or https).",
    )
    secret = models.CharField(
        max_length=64,
        default=generate_secret,
        help_text="Signs every payload (HMAC-SHA256); the receiver verifies with it.",
    )
    event_types = models.JSONField(
        default=list, validators=[validate_event_types], help_text="The events it receives."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _forget_subscriptions()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        _forget_subscriptions()
        return deleted


def _forget_subscriptions() -> None:
    from onethread.webhooks import subscriptions

    subscriptions.forget()


class Delivery(models.Model):
    """One event for one webhook: its frozen payload and where its delivery stands."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(JourneyEvent, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=32)
    # The body sent, frozen when the event happened (the delivery id is added
    # in front of it at send time).
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="one_delivery_per_event")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} to {self.webhook}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: what the receiver answered, or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error[:40]} at {self.at:%Y-%m-%d %H:%M:%S}"
