from django.db import models
from django.utils import timezone


class Account(models.Model):
    """A customer organisation."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    segment = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="What an import brought that has no field of its own."
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="account_name_idx")]

    def __str__(self) -> str:
        return self.name


class BuyingRole(models.TextChoices):
    CHAMPION = "champion", "Champion"
    DECISION_MAKER = "decision_maker", "Decision maker"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"
    OTHER = "other", "Other"


class Contact(models.Model):
    """A person at an account, with the part they play in buying."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=200, blank=True)
    buying_role = models.CharField(
        max_length=20, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    is_active = models.BooleanField(default=True, help_text="Off once they leave the account.")
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
