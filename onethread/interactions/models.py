from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.customers.models import Contact
from onethread.journeys.models import Journey, Stage


class Interaction(models.Model):
    """A conversation with the customer: a call, a meeting, an email."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        CHAT = "chat", "Chat"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    # No index of its own: interaction_journey_idx begins with the journey.
    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="interactions", db_index=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    summary = models.TextField(max_length=5000)
    contacts = models.ManyToManyField(Contact, related_name="interactions", blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    # No index on stage or logged_by (as on JourneyEvent): interactions are
    # read by journey; only deleting a stage or a user looks them up by these.
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", db_index=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["journey", "occurred_at"], name="interaction_journey_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.summary[:60]}"
