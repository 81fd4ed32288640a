"""Stages are configured here. Journeys and their events are shown read-only:
they change through onethread's own pages, API and commands, which keep the
event log whole."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onethread.journeys.models import Journey, JourneyEvent, Stage


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "position", "kind", "side"]
    list_editable = ["position"]
    ordering = ["position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Journey)
class JourneyAdmin(ReadOnlyAdmin):
    list_display = ["account", "stage", "owner", "team", "source", "opened_at", "closed_at"]
    list_filter = ["stage", "team"]
    search_fields = ["account__name"]
    list_select_related = ["account", "stage", "owner__user", "team"]
    show_full_result_count = False


@admin.register(JourneyEvent)
class JourneyEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "journey_id", "kind", "stage", "actor", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["stage", "actor"]
    show_full_result_count = False
