from django.contrib import admin

from onethread.signals.models import (
    Checkpoint,
    DetectorRun,
    FollowUp,
    HealthScore,
    HealthWeight,
    Signal,
)


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["kind", "detector", "account", "routed_to", "status", "score", "raised_at"]
    list_filter = ["status", "kind", "detector"]
    search_fields = ["explanation", "dedupe_key", "account__name"]
    raw_id_fields = ["account", "journey", "routed_to", "need", "product", "deal", "resolved_by"]


@admin.register(DetectorRun)
class DetectorRunAdmin(admin.ModelAdmin):
    list_display = ["detector", "mode", "status", "raised", "journeys", "started_at", "finished_at"]
    list_filter = ["status", "mode", "detector"]
    readonly_fields = ["detector", "mode", "status", "raised", "journeys", "started_at"]
    readonly_fields += ["finished_at", "error"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_on", "done_at"]
    raw_id_fields = ["signal", "owner"]


admin.site.register(Checkpoint)


@admin.register(HealthWeight)
class HealthWeightAdmin(admin.ModelAdmin):
    list_display = ["component", "weight"]


@admin.register(HealthScore)
class HealthScoreAdmin(admin.ModelAdmin):
    list_display = ["journey", "day", "score", "computed_at"]
    raw_id_fields = ["journey"]
    readonly_fields = ["journey", "day", "score", "components", "computed_at"]
