import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.journeys.models import Journey, Stage


class Commitment(models.Model):
    """A promise made to the customer, which travels with the journey."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RENEGOTIATED = "renegotiated", "Renegotiated"
        KEPT = "kept", "Kept"
        BROKEN = "broken", "Broken"

    PENDING = (Status.OPEN, Status.RENEGOTIATED)

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="commitments")
    promise = models.TextField(max_length=2000)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_at_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments_to_keep",
        help_text="Who must keep it.",
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    settled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["journey", "status", "due_on"], name="commitment_journey_idx")
        ]

    def __str__(self) -> str:
        return self.promise[:80]

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_pending and self.due_on is not None and self.due_on < today
