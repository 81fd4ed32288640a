from django.contrib import admin

from onethread.training.models import Goal, Playbook, PlaybookItem, SavedReplay, Shadowing


class PlaybookItemInline(admin.TabularInline):
    model = PlaybookItem
    extra = 1
    fields = ["position", "label", "guidance", "contract_item"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["stage", "updated_by", "updated_at"]
    inlines = [PlaybookItemInline]
    raw_id_fields = ["updated_by"]


@admin.register(SavedReplay)
class SavedReplayAdmin(admin.ModelAdmin):
    list_display = ["title", "journey", "created_by", "created_at"]
    raw_id_fields = ["journey", "created_by"]


@admin.register(Shadowing)
class ShadowingAdmin(admin.ModelAdmin):
    list_display = ["member", "stage", "starts_on", "ends_on", "closed_at"]
    raw_id_fields = ["member", "assigned_by"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["team", "member", "measure", "target", "starts_on", "ends_on"]
    raw_id_fields = ["member", "set_by"]
