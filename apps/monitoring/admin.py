"""Monitoring in the admin, read only: writes go through the services (the write
guard), and verifications, confirmations and received notifications are evidence no
one edits.

An integration's token is its webhook address's secret and the signing secret is
PagerDuty's key: neither is shown here (the integrations page shows the address to
the transition's members who may configure it).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import ReadOnly
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Verification,
)


class Evidence(admin.ModelAdmin):
    """View only, for evidence without an audit history (it is never changed, so it has
    none: `ReadOnly`'s history page would have nothing to read)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ["name", "project", "severity", "component", "source", "is_heartbeat"]
    list_filter = ["severity", "source", "is_heartbeat"]
    search_fields = ["name", "matchers", "project__name"]
    list_select_related = ["project", "component"]
    raw_id_fields = ["project", "component"]


@admin.register(Dashboard)
class DashboardAdmin(ReadOnly):
    list_display = ["title", "project", "owner", "url"]
    search_fields = ["title", "url", "project__name"]
    list_select_related = ["project", "owner"]
    raw_id_fields = ["project", "owner"]


@admin.register(Integration)
class IntegrationAdmin(ReadOnly):
    # The token and the signing secret are left out of every page (see the docstring).
    fields = ["project", "name", "source", "last_delivery_at", "created_at", "updated_at"]
    readonly_fields = fields
    list_display = ["name", "project", "source", "last_delivery_at"]
    list_filter = ["source"]
    search_fields = ["name", "project__name"]
    list_select_related = ["project"]


@admin.register(DashboardCheck)
class DashboardCheckAdmin(Evidence):
    list_display = ["dashboard", "checked_by", "checked_at", "url"]
    list_select_related = ["dashboard", "checked_by"]
    raw_id_fields = ["project", "dashboard", "checked_by"]


@admin.register(Verification)
class VerificationAdmin(Evidence):
    list_display = ["alert_name", "project", "kind", "verified_at", "verified_by"]
    list_filter = ["kind"]
    search_fields = ["alert_name", "project__name"]
    list_select_related = ["project", "verified_by"]
    raw_id_fields = ["project", "alert", "firing_event", "resolved_event", "verified_by"]


@admin.register(Delivery)
class DeliveryAdmin(Evidence):
    list_display = ["received_at", "project", "source", "integration", "truncated"]
    list_filter = ["source"]
    list_select_related = ["project", "integration"]
    raw_id_fields = ["project", "integration"]


@admin.register(AlertEvent)
class AlertEventAdmin(Evidence):
    list_display = ["alert_key", "project", "state", "received_at", "last_received_at"]
    list_filter = ["state", "source"]
    search_fields = ["alert_key", "dedup_key", "project__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "integration", "delivery"]
