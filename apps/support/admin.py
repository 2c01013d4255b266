"""The support model in the admin: for looking things up; edits belong on the pages,
where the write guard and the gap analysis apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)


@admin.register(Component)
class ComponentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project", "kind", "criticality"]
    list_filter = ["criticality", "kind"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project"]


@admin.register(Tier)
class TierAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project", "position"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project"]


@admin.register(SupportTeam)
class SupportTeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project", "email", "phone"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project", "members"]


@admin.register(Ownership)
class OwnershipAdmin(SimpleHistoryAdmin):
    list_display = ["component", "tier", "team", "hours", "p1_minutes"]
    list_filter = ["hours"]
    list_select_related = ["component", "tier", "team"]
    raw_id_fields = ["project", "component", "tier", "team"]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(SimpleHistoryAdmin):
    list_display = ["project", "path", "position", "team", "person"]
    list_filter = ["path"]
    list_select_related = ["project", "team", "person"]
    raw_id_fields = ["project", "team", "person"]


@admin.register(SupportSettings)
class SupportSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["project", "catch_all"]
    raw_id_fields = ["project", "catch_all"]
