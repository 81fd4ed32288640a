from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.catalogue.models import Category, Product
from onethread.journeys.models import Journey, Stage


class Need(models.Model):
    """A customer need (pain, goal, requirement), captured once and followed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ADDRESSED = "addressed", "Addressed"
        DELIVERED = "delivered", "Delivered"
        UNMET = "unmet", "Unmet"

    class Priority(models.IntegerChoices):
        CRITICAL = 1, "Critical"
        HIGH = 2, "High"
        MEDIUM = 3, "Medium"
        LOW = 4, "Low"

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="needs")
    statement = models.TextField(max_length=2000)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="needs"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        help_text="The product or solution that addresses it.",
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    captured_at_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    captured_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["journey", "status"], name="need_journey_status_idx")]

    def __str__(self) -> str:
        return self.statement[:80]
