from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.catalogue.models import Category
from onethread.commitments.models import Commitment
from onethread.journeys.models import Journey
from onethread.needs.models import Need


class Ticket(models.Model):
    class Priority(models.IntegerChoices):
        URGENT = 1, "Urgent"
        HIGH = 2, "High"
        NORMAL = 3, "Normal"
        LOW = 4, "Low"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(max_length=300)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "priority", "-opened_at"]
        indexes = [models.Index(fields=["journey", "status"], name="ticket_journey_status_idx")]

    def __str__(self) -> str:
        return self.subject
