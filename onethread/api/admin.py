from django.contrib import admin

from onethread.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `onethread token`; here they are listed and revoked."""

    list_display = ["name", "user", "hint", "created_at", "revoked_at"]
    readonly_fields = ["user", "name", "hint", "created_at"]
    fields = ["user", "name", "hint", "created_at", "revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
