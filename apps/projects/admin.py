from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phase", "lead", "ops_lead", "go_live_date"]
    list_filter = ["phase"]
    search_fields = ["name", "services"]
    autocomplete_fields = ["lead", "ops_lead"]
    inlines = [MembershipInline]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "owner", "status", "area", "due_date"]
    list_filter = ["status", "area"]
    search_fields = ["title"]
    list_select_related = ["project", "owner"]


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["statement", "project", "due_date", "expected_signer"]
    search_fields = ["statement"]
    list_select_related = ["project", "expected_signer"]


@admin.register(SignOff)
class SignOffAdmin(SimpleHistoryAdmin):
    list_display = [
        "criterion",
        "signed_by",
        "signed_at",
        "signed_as_ops",
        "revoked_at",
        "voided_at",
    ]
    list_select_related = ["criterion", "signed_by"]
    readonly_fields = ["statement_snapshot"]
