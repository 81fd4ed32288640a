from django.conf import settings
from django.db import models
from django.utils import timezone


class ExternalRecord(models.Model):
    """Which record an id of another system became, so that importing the same
    file again updates instead of duplicating."""

    system = models.CharField(max_length=40, help_text="e.g. olist, hubspot, salesforce")
    kind = models.CharField(max_length=20, help_text="account, contact, journey, deal …")
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    # A digest of the imported values: an unchanged row is skipped cheaply.
    digest = models.CharField(max_length=32, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind", "external_id"], name="one_record_per_external_id"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="external_record_object_idx")]

    def __str__(self) -> str:
        return f"{self.system} {self.kind} {self.external_id} → {self.object_id}"


class ImportRun(models.Model):
    """One import, as its report told it."""

    class Status(models.TextChoices):
        COMMITTED = "committed", "Committed"
        REJECTED = "rejected", "Rejected: nothing committed"
        PARTIAL = "partial", "Valid rows committed, invalid rows skipped"

    source = models.CharField(max_length=40)
    files = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    created = models.JSONField(default=dict, help_text="Records created, by kind.")
    updated = models.JSONField(default=dict, help_text="Records updated, by kind.")
    report_path = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} import {self.started_at:%Y-%m-%d %H:%M}: {self.status}"
