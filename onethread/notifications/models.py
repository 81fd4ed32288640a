from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.journeys.models import Journey


class Notification(models.Model):
    """Something a member should know: a mention, a handoff for them, an
    answer to their handoff, an overdue clock."""

    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        HANDOFF_RECEIVED = "handoff_received", "Handoff for you"
        HANDOFF_ACCEPTED = "handoff_accepted", "Your handoff was accepted"
        HANDOFF_RETURNED = "handoff_returned", "Your handoff was returned"
        HANDOFF_OVERDUE = "handoff_overdue", "Handoff overdue"
        COMMITMENT_OWNED = "commitment_owned", "A promise is yours to keep"
        SIGNAL = "signal", "A signal for you"
        TRAINING = "training", "Training for you"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_unread_idx")
        ]

    def __str__(self) -> str:
        return self.text
