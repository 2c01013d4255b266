"""Runbooks in the admin, read only: writes go through the services (the write guard),
and walkthroughs are evidence no one edits."""

from django.contrib import admin

from apps.core.admin import ReadOnly
from apps.runbooks.models import Runbook, Scenario, Walkthrough


@admin.register(Runbook)
class RunbookAdmin(ReadOnly):
    list_display = ["title", "project", "status", "review_by", "owner"]
    list_filter = ["status"]
    search_fields = ["title", "project__name"]
    list_select_related = ["project", "owner"]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnly):
    list_display = ["title", "runbook", "component", "position"]
    search_fields = ["title", "symptoms", "alert_names"]
    list_select_related = ["runbook", "component"]


@admin.register(Walkthrough)
class WalkthroughAdmin(ReadOnly):
    list_display = ["scenario", "held_on", "kind", "outcome", "recorded_by"]
    list_filter = ["outcome", "kind"]
    list_select_related = ["scenario", "recorded_by"]
