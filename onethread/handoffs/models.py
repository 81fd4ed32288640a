import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member, Team


class Transition(models.Model):
    """A step from one stage to the next: its SLA, where it goes, and (through
    its contract items) what the next stage needs to know before it accepts."""

    from_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    sla_hours = models.PositiveIntegerField(
        default=24, help_text="How long the receiver has to accept or return a handoff."
    )
    receiving_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where handoffs go when no receiver is named; empty means the sender's team.",
    )
    requires_handoff = models.BooleanField(
        default=True,
        help_text="Owners cross this step only through an accepted handoff; managers and "
        "admins may still move the stage directly.",
    )

    class Meta:
        ordering = ["from_stage__position", "to_stage__position"]
        constraints = [
            models.UniqueConstraint(fields=["from_stage", "to_stage"], name="one_transition")
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def sla(self) -> dt.timedelta:
        return dt.timedelta(hours=self.sla_hours)


class ContractItem(models.Model):
    """One thing the next stage must know. Checked against the journey's own
    records, or confirmed by the sender with an answer."""

    class Rule(models.TextChoices):
        CONFIRMED = "confirmed", "The sender confirms it and says how"
        NEED_CAPTURED = "need_captured", "At least one need, with its priority"
        DECISION_MAKER = "decision_maker", "A decision maker is identified"
        STAKEHOLDERS = "stakeholders", "Champion and decision maker named"
        NEEDS_MAPPED = "needs_mapped", "Every need mapped to a product or marked unmet"
        COMMITMENTS_OWNED = "commitments_owned", "Every open commitment has an owner and a date"
        COMMITMENTS_HANDED_OVER = "commitments_handed_over", "Open commitments handed over"

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(max_length=200)
    guidance = models.CharField(max_length=300, blank=True)
    rule = models.CharField(max_length=30, choices=Rule.choices, default=Rule.CONFIRMED)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["transition", "position", "id"]

    def __str__(self) -> str:
        return self.label


class ReturnReason(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class Handoff(models.Model):
    """A journey sent to the next stage, with a frozen brief, until the
    receiver accepts it or returns it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the receiver"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned"

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="handoffs")
    from_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="handoffs_sent")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    to_member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="handoffs_received"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    routed = models.BooleanField(default=False, help_text="The receiver was chosen by routing.")
    sent_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    # Frozen at send time: what the receiver works from.
    brief = models.JSONField(default=dict)
    contract = models.JSONField(default=list)
    completeness = models.FloatField(default=1.0)
    override_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    open_questions = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.ForeignKey(
        ReturnReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    missing_feedback = models.JSONField(default=list, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey"],
                condition=models.Q(status="pending"),
                name="one_pending_handoff_per_journey",
            )
        ]
        indexes = [
            models.Index(fields=["to_member", "status", "due_at"], name="handoff_inbox_idx"),
            models.Index(fields=["from_member", "status"], name="handoff_sent_idx"),
            models.Index(fields=["status", "due_at"], name="handoff_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.journey.account} {self.from_stage} → {self.to_stage}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_pending and now > self.due_at

    @property
    def missing_required(self) -> list[str]:
        return [item["label"] for item in self.contract if item["required"] and not item["met"]]
