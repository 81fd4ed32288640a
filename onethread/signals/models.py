from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.catalogue.models import Product
from onethread.customers.models import Account
from onethread.deals.models import Deal
from onethread.journeys.models import Journey
from onethread.needs.models import Need
from onethread.team.models import Member


class Kind(models.TextChoices):
    CROSS_SELL = "cross_sell", "Cross-sell"
    UPSELL = "upsell", "Upsell"
    CUSTOMERS_LIKE_THIS = "customers_like_this", "Customers like this"
    COMMITMENT_OVERDUE = "commitment_overdue", "Promise overdue or broken"
    HANDOFF_OVERDUE = "handoff_overdue", "Handoff past its SLA"
    SILENCE = "silence", "Silence"
    REPEATED_DISCOVERY = "repeated_discovery", "Repeated discovery"
    CHAMPION_LEFT = "champion_left", "Champion left"
    NO_FIRST_VALUE = "no_first_value", "No first value"


EXPANSION_KINDS = frozenset({Kind.CROSS_SELL, Kind.UPSELL, Kind.CUSTOMERS_LIKE_THIS})


class DismissReason(models.TextChoices):
    NOT_RELEVANT = "not_relevant", "Not relevant for this customer"
    ALREADY_HANDLED = "already_handled", "Already handled"
    WRONG_PERSON = "wrong_person", "Not mine to act on"
    BAD_TIMING = "bad_timing", "Not now"
    WRONG_DATA = "wrong_data", "The evidence is wrong"


class Signal(models.Model):
    """An expansion opportunity or a risk seen on a journey, with its
    evidence, routed to the person who can act on it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTED = "acted", "Acted on"
        DISMISSED = "dismissed", "Dismissed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    detector = models.CharField(max_length=40, help_text="The rule that raised it.")
    # One condition, one key: "cross_sell:need:12". Open signals are unique on it.
    dedupe_key = models.CharField(max_length=200)
    score = models.FloatField(default=0.5, help_text="0 to 1: how strongly the rule fired.")
    explanation = models.TextField()
    evidence = models.JSONField(
        default=dict, blank=True, help_text="event_ids and records ([type, id]) that raised it."
    )
    # Each index costs every insert (a first run raises a million signals):
    # journey and routed_to are led by the indexes below; the optional links
    # are indexed only where they are set.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="signals")
    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="signals", db_index=False
    )
    routed_to = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        db_index=False,
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        db_index=False,
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        help_text="The product it suggests, for expansion signals.",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    dismiss_note = models.TextField(blank=True)
    deal = models.ForeignKey(
        Deal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-score", "-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status="open"),
                name="one_open_signal_per_condition",
            )
        ]
        indexes = [
            models.Index(fields=["routed_to", "status", "-id"], name="signal_inbox_idx"),
            models.Index(fields=["journey", "status"], name="signal_journey_idx"),
            models.Index(fields=["dedupe_key"], name="signal_key_idx"),
            models.Index(fields=["detector", "status"], name="signal_detector_idx"),
            models.Index(
                fields=["need"], condition=models.Q(need__isnull=False), name="signal_need_idx"
            ),
            models.Index(
                fields=["product"],
                condition=models.Q(product__isnull=False),
                name="signal_product_idx",
            ),
            models.Index(
                fields=["resolved_by"],
                condition=models.Q(resolved_by__isnull=False),
                name="signal_resolved_by_idx",
            ),
            models.Index(
                fields=["deal"], condition=models.Q(deal__isnull=False), name="signal_deal_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.explanation[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_expansion(self) -> bool:
        return self.kind in EXPANSION_KINDS


class FollowUp(models.Model):
    """The task created when someone acts on a signal that is not a sale."""

    signal = models.OneToOneField(Signal, on_delete=models.PROTECT, related_name="follow_up")
    owner = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.TextField(max_length=2000)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class DetectorRun(models.Model):
    """One detector's pass: what it raised, or why it failed."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        FULL = "full", "Every open journey"
        INCREMENTAL = "incremental", "Journeys with new events"

    detector = models.CharField(max_length=40)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.FULL)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    journeys = models.PositiveIntegerField(
        null=True, blank=True, help_text="Journeys looked at (empty for a full run)."
    )
    raised = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-id"], name="detector_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.detector} ({self.get_status_display()})"


class Checkpoint(models.Model):
    """How far detection has read: the event log for the incremental run
    (last_event_id: an event id), the journeys for the full run's pass that
    a time budget cut short (the "full" row: the last journey id done)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: event {self.last_event_id}"


class HealthComponent(models.TextChoices):
    ENGAGEMENT = "engagement", "Engagement recency"
    OPEN_TICKETS = "open_tickets", "Open tickets"
    PROMISES_KEPT = "promises_kept", "Promises kept"
    NEEDS_DELIVERED = "needs_delivered", "Needs delivered"
    VALUE_EVENTS = "value_events", "Value events"


class HealthWeight(models.Model):
    """How much a component counts in the health score (set in the admin;
    a component without a row counts with its default weight)."""

    component = models.CharField(max_length=20, choices=HealthComponent.choices, unique=True)
    weight = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.get_component_display()}: {self.weight}"


class HealthScore(models.Model):
    """A journey's health after the sale, one row per day it was computed,
    with each component's contribution, so trends show."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="health_scores")
    day = models.DateField()
    score = models.FloatField(help_text="0 to 100.")
    components = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["journey", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "day"], name="one_health_score_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} on {self.day}: {self.score:.0f}"


class DigestSent(models.Model):
    """The weekly digest went to this member for this week (Monday's date):
    a worker restarted mid-week does not send it again."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    signals = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "week"], name="one_digest_per_member_week")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.member} on {self.week}"
