from django.conf import settings
from django.db import models


class Team(models.Model):
    class Routing(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round robin"
        LEAST_BUSY = "least_busy", "Least busy"

    name = models.CharField(max_length=100, unique=True)
    routing = models.CharField(
        max_length=12,
        choices=Routing.choices,
        default=Routing.ROUND_ROBIN,
        help_text="How new leads and handoffs without a named receiver are assigned.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD_GENERATION = "lead_generation", "Lead generation"
    SDR = "sdr", "SDR"
    AE = "ae", "Account executive"
    ONBOARDING = "onboarding", "Onboarding"
    SUPPORT = "support", "Support"
    CSM = "csm", "CSM / account manager"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class Member(models.Model):
    """A user who works journeys: their stage role in a team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_available = models.BooleanField(
        default=True, help_text="Unavailable members receive no new work."
    )
    secondary_roles = models.JSONField(
        default=list, blank=True, help_text="Other stage roles this person also holds."
    )

    class Meta:
        ordering = ["team__name", "user__first_name", "user__last_name", "user__username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def has_role(self, role: str) -> bool:
        return self.role == role or role in self.secondary_roles

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class RoutingCursor(models.Model):
    """Where round-robin routing left off, per team and role."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    last_member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "role"], name="one_cursor_per_team_role")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.role}: after {self.last_member}"
