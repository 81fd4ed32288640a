"""Webhooks are configured here; their delivery log is read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from onethread.webhooks.models import (
    EVENT_TYPE_CHOICES,
    Delivery,
    DeliveryAttempt,
    Webhook,
)


class WebhookForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EVENT_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The journey events this webhook receives.",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "event_types", "active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "url", "subscribed_to", "active"]
    list_filter = ["active"]
    readonly_fields = ["secret", "created_at"]
    fields = ["name", "url", "event_types", "active", "secret", "created_at"]

    @admin.display(description="Event types")
    def subscribed_to(self, webhook: Webhook) -> str:
        return ", ".join(webhook.event_types)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = ["at", "status_code", "error", "duration_ms"]
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "webhook",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event_type", "webhook"]
    list_select_related = ["webhook"]
    readonly_fields = [
        "webhook",
        "event",
        "event_type",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "payload",
    ]
    inlines = [AttemptInline]
    show_full_result_count = False
