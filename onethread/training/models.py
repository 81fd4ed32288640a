"""Training from real journeys: the curated replay library, what members are
asked to read, and cross-training (shadowing another stage)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.handoffs.models import ContractItem
from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member, Team


class SavedReplay(models.Model):
    """A journey's replay kept in the library, with what to learn from it. The
    replay itself is told from the event log each time it is read."""

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    tags = models.JSONField(default=list, blank=True)
    lesson = models.TextField(max_length=5000)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReplayAssignment(models.Model):
    """A replay a member is asked to read, and what they made of it."""

    replay = models.ForeignKey(SavedReplay, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="replay_assignments")
    assigned_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The team it was assigned through, if any.",
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    reflection = models.TextField(blank=True)
    reflected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["replay", "member"], name="one_assignment_per_replay")
        ]

    def __str__(self) -> str:
        return f"{self.replay} for {self.member}"


class Shadowing(models.Model):
    """A member follows another stage's journeys for a period (cross-training)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="shadowings")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    assigned_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reflection = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["member", "ends_on"], name="shadowing_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} shadows {self.stage} ({self.starts_on} to {self.ends_on})"

    def is_running(self, today: dt.date) -> bool:
        return self.closed_at is None and self.starts_on <= today <= self.ends_on


class ShadowedJourney(models.Model):
    shadowing = models.ForeignKey(Shadowing, on_delete=models.CASCADE, related_name="followed")
    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shadowing", "journey"], name="one_follow_per_journey")
        ]
        indexes = [models.Index(fields=["journey", "shadowing"], name="shadowed_journey_idx")]

    def __str__(self) -> str:
        return f"{self.shadowing} follows journey {self.journey_id}"


class ShadowingNote(models.Model):
    shadowing = models.ForeignKey(Shadowing, on_delete=models.CASCADE, related_name="notes")
    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=5000)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ShadowRead(models.Model):
    """The audit trail: a journey read only because of a shadowing."""

    class Via(models.TextChoices):
        PAGE = "page", "Account page"
        API = "api", "API"

    shadowing = models.ForeignKey(Shadowing, on_delete=models.PROTECT, related_name="reads")
    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=4, choices=Via.choices)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-read_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} read journey {self.journey_id} via {self.via}"


class Playbook(models.Model):
    """Per stage: what good looks like, what the next stage needs, and a checklist."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="+")
    good_looks_like = models.TextField("What good looks like here", max_length=5000, blank=True)
    next_stage_needs = models.TextField(
        "What the next stage needs from you", max_length=5000, blank=True
    )
    updated_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Playbook for {self.stage}"


class PlaybookItem(models.Model):
    """One step of a stage's checklist; tied to a handoff-contract item, doing
    it fills that item of the contract."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(max_length=200)
    guidance = models.CharField(max_length=300, blank=True)
    contract_item = models.ForeignKey(
        ContractItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["playbook", "position", "id"]

    def __str__(self) -> str:
        return self.label


class PlaybookCheck(models.Model):
    """A checklist step done on a journey (its event is in the journey's log)."""

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(PlaybookItem, on_delete=models.CASCADE, related_name="checks")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["journey", "item"], name="one_check_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.item} on journey {self.journey_id}"


class Goal(models.Model):
    """A target for a team, or for one of its members, on one measure over a
    period; its progress is read from the insights metrics (training/goals.py)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="goals")
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        help_text="Empty for a goal of the whole team.",
    )
    measure = models.CharField(max_length=40)
    target = models.DecimalField(max_digits=10, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField()
    set_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ends_on", "member_id", "id"]
        indexes = [models.Index(fields=["team", "ends_on"], name="goal_team_idx")]

    def __str__(self) -> str:
        who = self.member or self.team
        return f"{who}: {self.measure} {self.target} ({self.starts_on} to {self.ends_on})"
