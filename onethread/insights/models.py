"""Aggregates maintained from the journey event log, so pages and reports never
scan the event table: refreshed by services.refresh_insights from the events
after the checkpoint (see docs/metrics.md)."""

from django.db import models
from django.utils import timezone

from onethread.journeys.models import Journey


class Checkpoint(models.Model):
    """The last journey event folded into the aggregates."""

    name = models.SlugField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: event {self.last_event_id}"


class JourneyFact(models.Model):
    """One journey's state and derived value facts (the `journeys` frame)."""

    journey = models.OneToOneField(
        Journey, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    team_id = models.BigIntegerField()
    source = models.CharField(max_length=100, blank=True)
    owner_id = models.BigIntegerField(null=True)
    opened_at = models.DateTimeField()
    first_touch_at = models.DateTimeField(null=True)
    won_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=40, blank=True)
    outcome_reason = models.TextField(blank=True)
    first_value_at = models.DateTimeField(null=True)
    revenue_after_won = models.FloatField(default=0.0)
    # The checkpoint (last event id) of the refresh that last recomputed this
    # journey (its stays and months too): the dashboards' columnar copy reads
    # again only the journeys newer than it holds.
    refreshed_upto = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["opened_at"], name="fact_opened_idx")]

    def __str__(self) -> str:
        return f"facts of journey {self.journey_id}"


class StageVisit(models.Model):
    """One stay of a journey in a stage (the `visits` frame)."""

    # No index of its own: the unique constraint's (journey, ...) index serves
    # lookups by journey, and every index costs the refresh on each rewrite.
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.PositiveIntegerField()
    stage = models.CharField(max_length=40)
    entered_at = models.DateTimeField(null=True)
    left_at = models.DateTimeField(null=True)
    next_stage = models.CharField(max_length=40, blank=True)
    # The checkpoint (last event id) of the refresh that last wrote this row.
    # Not indexed: the copy finds changed journeys by their JourneyFact marker.
    refreshed_upto = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "seq"], name="one_visit_per_seq")]

    def __str__(self) -> str:
        return f"journey {self.journey_id} in {self.stage} (#{self.seq})"


class MonthlyValue(models.Model):
    """Value delivered by one journey in one calendar month (UTC)."""

    # No index of its own: the unique constraint's (journey, ...) index serves
    # lookups by journey, and every index costs the refresh on each rewrite.
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    amount = models.FloatField(default=0.0)
    events = models.PositiveIntegerField(default=0)
    # The checkpoint (last event id) of the refresh that last wrote this row.
    # Not indexed: the copy finds changed journeys by their JourneyFact marker.
    refreshed_upto = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["journey", "month"], name="one_value_per_month")
        ]

    def __str__(self) -> str:
        return f"journey {self.journey_id} {self.month:%Y-%m}: {self.amount}"
