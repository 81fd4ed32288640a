import datetime as dt
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from onethread.customers.models import Account
from onethread.team.models import Member, Role, Team


class Stage(models.Model):
    """One step of the bow tie, or a terminal outcome that closes a journey."""

    class Kind(models.TextChoices):
        ACTIVE = "active", "Active stage"
        OUTCOME = "outcome", "Terminal outcome"

    class Side(models.TextChoices):
        ACQUISITION = "acquisition", "Before the sale"
        RETENTION = "retention", "After the sale"

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(help_text="Order on the board and in the bow tie.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTIVE)
    side = models.CharField(
        max_length=12,
        choices=Side.choices,
        help_text="Outcomes close journeys on their own side: lost before the sale, "
        "churned after it.",
    )
    owner_role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="The role that works journeys in this stage; routing picks among them.",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outcome(self) -> bool:
        return self.kind == self.Kind.OUTCOME


class Journey(models.Model):
    """One customer relationship, from first touch to renewal."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="journeys")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="journeys")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_journeys"
    )
    source = models.CharField(max_length=100, blank=True, help_text="The channel it came from.")
    opened_at = models.DateTimeField(default=timezone.now)
    # When an import does not say when the current stage began, the latest
    # time it knows; the event log keeps the unknown time as null.
    stage_entered_at = models.DateTimeField(default=timezone.now)
    won_at = models.DateTimeField(null=True, blank=True)
    # The first logged touch (interaction) with the customer: speed to lead.
    first_touch_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="What an import brought that has no field of its own."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_journey_per_account",
            )
        ]
        indexes = [
            models.Index(fields=["stage", "stage_entered_at", "id"], name="journey_board_idx"),
            # With the id: a member's columns read their team's journeys in board order.
            models.Index(
                fields=["team", "stage", "stage_entered_at", "id"], name="journey_team_idx"
            ),
            models.Index(fields=["owner", "stage"], name="journey_owner_idx"),
            models.Index(fields=["source"], name="journey_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.stage})"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def speed_to_lead(self) -> dt.timedelta | None:
        """From the lead's creation to the first logged touch."""
        if self.first_touch_at is None:
            return None
        return max(self.first_touch_at - self.opened_at, dt.timedelta(0))

    def days_in_stage(self, now: dt.datetime) -> int:
        return max((now - self.stage_entered_at).days, 0)


class AccountTeamMember(models.Model):
    """Someone who owned or worked a journey at a stage. Never removed."""

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="account_team")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="account_teams")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    owned = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    # The journey's team, kept by database triggers (journeys/seats.py): a
    # member's seats outside their team are an index range.
    journey_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "member", "stage"], name="one_seat_per_member_and_stage"
            )
        ]
        indexes = [
            models.Index(fields=["member", "journey_team", "journey"], name="seat_member_team_idx")
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.stage} on journey {self.journey_id}"


class EventKind(models.TextChoices):
    JOURNEY_OPENED = "journey_opened", "Journey opened"
    STAGE_ENTERED = "stage_entered", "Stage entered"
    OWNER_CHANGED = "owner_changed", "Owner changed"
    NEED_CAPTURED = "need_captured", "Need captured"
    NEED_CHANGED = "need_changed", "Need changed"
    COMMITMENT_MADE = "commitment_made", "Commitment made"
    COMMITMENT_CHANGED = "commitment_changed", "Commitment changed"
    INTERACTION_LOGGED = "interaction_logged", "Interaction logged"
    DEAL_CREATED = "deal_created", "Deal created"
    DEAL_CHANGED = "deal_changed", "Deal changed"
    TICKET_OPENED = "ticket_opened", "Ticket opened"
    TICKET_CHANGED = "ticket_changed", "Ticket changed"
    CONTACT_ADDED = "contact_added", "Contact added"
    CONTACT_CHANGED = "contact_changed", "Contact changed"
    NOTE_ADDED = "note_added", "Note added"
    HANDOFF_SENT = "handoff_sent", "Handoff sent"
    HANDOFF_ACCEPTED = "handoff_accepted", "Handoff accepted"
    HANDOFF_RETURNED = "handoff_returned", "Handoff returned"
    HANDOFF_OVERDUE = "handoff_overdue", "Handoff overdue"
    REPEATED_DISCOVERY = "repeated_discovery", "Repeated discovery"
    VALUE_RECORDED = "value_recorded", "Value delivered"
    ACCOUNT_CHANGED = "account_changed", "Account changed"
    JOURNEY_CHANGED = "journey_changed", "Journey changed"
    INTERACTION_CHANGED = "interaction_changed", "Interaction changed"
    ACCOUNT_MERGED = "account_merged", "Account merged"
    CONTACT_MERGED = "contact_merged", "Contact merged"
    SIGNAL_RAISED = "signal_raised", "Signal raised"
    SIGNAL_ACTED = "signal_acted", "Signal acted on"
    SIGNAL_DISMISSED = "signal_dismissed", "Signal dismissed"
    PLAYBOOK_STEP_DONE = "playbook_step_done", "Playbook step done"


class AppendOnlyError(RuntimeError):
    pass


class JourneyEventQuerySet(models.QuerySet["JourneyEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Journey events are never updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Journey events are never deleted.")


class JourneyEvent(models.Model):
    """The append-only log of everything that happens to a journey."""

    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    # No index on stage or actor: events are read by journey and by kind, and
    # every event written (millions by an import) would pay for them; only
    # deleting a stage or a user (rare, and refused when events name them)
    # looks events up by these.
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # When it happened in the world; null when the source does not say.
    occurred_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)

    objects = JourneyEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["journey", "id"], name="event_journey_idx"),
            models.Index(fields=["journey", "kind", "id"], name="event_journey_kind_idx"),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on journey {self.journey_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Journey events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Journey events are never deleted.")


class StageCount(models.Model):
    """How many journeys stand in each stage, per team and source: kept up to
    date by the services that move journeys, so the board never counts them."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=100, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "stage", "source"], name="one_count_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.team} / {self.stage} / {self.source or '(no source)'}: {self.count}"


class ReferenceVersion(models.Model):
    """One row: a token that changes whenever reference data changes (stages,
    transitions and their contracts, categories, products, members). Database
    triggers set it (journeys/reference.py), so that a copy of that data kept
    by any process knows when it is out of date."""

    token = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.token
