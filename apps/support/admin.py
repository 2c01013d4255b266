"""The support model in the admin, read only: for looking things up. Writes belong on
the pages, through the services (the write guard: the project lock, closed
transitions refused, the summary and its gate verdict recomputed)."""

from django.contrib import admin

from apps.core.admin import ReadOnly
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)


@admin.register(Component)
class ComponentAdmin(ReadOnly):
    list_display = ["name", "project", "kind", "criticality"]
    list_filter = ["criticality", "kind"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project"]


@admin.register(Tier)
class TierAdmin(ReadOnly):
    list_display = ["name", "project", "position"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project"]


@admin.register(SupportTeam)
class SupportTeamAdmin(ReadOnly):
    list_display = ["name", "project", "email", "phone"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project", "members"]


@admin.register(Ownership)
class OwnershipAdmin(ReadOnly):
    list_display = ["component", "tier", "team", "hours", "p1_minutes"]
    list_filter = ["hours"]
    list_select_related = ["component", "tier", "team"]
    raw_id_fields = ["project", "component", "tier", "team"]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(ReadOnly):
    list_display = ["project", "path", "position", "team", "person"]
    list_filter = ["path"]
    list_select_related = ["project", "team", "person"]
    raw_id_fields = ["project", "team", "person"]


@admin.register(SupportSettings)
class SupportSettingsAdmin(ReadOnly):
    list_display = ["project", "catch_all"]
    raw_id_fields = ["project", "catch_all"]
