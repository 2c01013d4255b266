from django.contrib import admin
from django.http import HttpRequest

from apps.reminders.models import DigestLog, ReminderPreference


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "updated_at"]
    list_filter = ["frequency"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    """The sent-log is a record of what was sent: read only."""

    list_display = ["digest_date", "recipient", "status", "attempts", "sent_at", "subject"]
    list_filter = ["status", "digest_date"]
    search_fields = ["recipient__email", "subject"]
    list_select_related = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
