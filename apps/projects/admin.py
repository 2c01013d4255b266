"""The admin, held to the transition's rules.

Staff use the admin to fix data, not to go around the rules: every save and delete
goes through the same services as the app (`project_write`: closed transitions
refused, the audit history attributed), a refusal is shown as a message (never a
500), sign-offs are evidence and read only, the phase moves only through an action
that asks `services.project_change_phase`, memberships are managed in the app, and
no row is reverted to an old version from its history (that would save a whole
old row around the services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from apps.projects import services
from apps.projects.guard import ActionRefused
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    SignOff,
    Task,
)


class GuardedAdmin(SimpleHistoryAdmin):
    """Refusals become messages; reverting from the history is not offered."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ActionRefused as refused:
            # The admin's transaction rolled back: nothing was written.
            return self._refused(request, refused, request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        reason = self.deletion_refusal(obj) if obj is not None else None
        try:
            if reason:
                raise ActionRefused(reason)
            return super().delete_view(request, object_id, extra_context)
        except ActionRefused as refused:
            change_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
            )
            return self._refused(request, refused, change_url)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except ActionRefused as refused:
            # A bulk action (delete_selected) refused: `delete_queryset` is atomic.
            return self._refused(request, refused, request.get_full_path())

    def deletion_refusal(self, obj: Any) -> str | None:
        """Why `obj` cannot be deleted, or None."""
        return None

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete each row through `delete_model` (the services); all or nothing."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.deletion_refusal(obj):
            return False  # hides the Delete link; delete_view says why
        return super().has_delete_permission(request, obj)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied("Old versions are shown, never restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def _refused(self, request: HttpRequest, refused: ActionRefused, to: str) -> HttpResponse:
        for message in refused.messages:
            self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(to)


class MembershipInline(admin.TabularInline):
    """Read only: members are added, re-roled and removed in the app, through the rules
    (the named lead stays a lead, a transition keeps a lead, closed ones do not change)."""

    model = Membership
    extra = 0
    fields = ["user", "role"]
    readonly_fields = ["user", "role"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _move_to(phase: Phase) -> Callable[[ProjectAdmin, HttpRequest, QuerySet[Project]], None]:
    def move(modeladmin: ProjectAdmin, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            try:
                services.project_change_phase(
                    project=project,
                    to=phase,
                    by=request.user,  # type: ignore[arg-type]
                )
            except ActionRefused as refused:
                modeladmin.message_user(
                    request, f"{project}: {' '.join(refused.messages)}", messages.ERROR
                )
            else:
                modeladmin.message_user(request, f"{project}: moved to {phase.label}.")

    move.__name__ = f"move_to_{phase.value}"
    return admin.action(description=f"Move to {phase.label} (if the rules allow)")(move)


@admin.register(Project)
class ProjectAdmin(GuardedAdmin):
    list_display = ["name", "phase", "lead", "ops_lead", "go_live_date"]
    list_filter = ["phase"]
    search_fields = ["name", "services"]
    autocomplete_fields = ["lead", "ops_lead"]
    readonly_fields = ["phase"]
    inlines = [MembershipInline]
    actions = [_move_to(phase) for phase in Phase]

    def save_model(self, request: HttpRequest, obj: Project, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.project_update(
                project_id=obj.pk,
                changes={
                    name: data[name]
                    for name in form.changed_data
                    if name in services.EDITABLE_FIELDS
                },
                by=request.user,  # type: ignore[arg-type]
            )
            return
        created = services.project_create(
            created_by=request.user,  # type: ignore[arg-type]
            today=timezone.localdate(),
            **{name: data[name] for name in services.EDITABLE_FIELDS if name in data},
        )
        # The admin goes on with `obj` (its log entry, the redirect): make it the new row.
        obj.pk = created.pk
        obj._state.adding = False

    def deletion_refusal(self, obj: Project) -> str | None:
        return services.project_deletion_refusal(obj)

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        services.project_delete(project_id=obj.pk, by=request.user)  # type: ignore[arg-type]


@admin.register(Task)
class TaskAdmin(GuardedAdmin):
    list_display = ["title", "project", "owner", "status", "area", "due_date"]
    list_filter = ["status", "area"]
    search_fields = ["title"]
    list_select_related = ["project", "owner"]

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        services.task_save(task=obj, by=request.user, now=timezone.now())  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        services.task_delete(task=obj, by=request.user)  # type: ignore[arg-type]


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(GuardedAdmin):
    list_display = ["statement", "project", "due_date", "expected_signer", "withdrawn_at"]
    search_fields = ["statement"]
    list_select_related = ["project", "expected_signer"]
    # Withdrawn and restored in the app only (services.criterion_withdraw), with a reason.
    readonly_fields = ["withdrawn_at", "withdrawn_by", "withdraw_reason"]

    def save_model(
        self, request: HttpRequest, obj: AcceptanceCriterion, form: ModelForm, change: bool
    ) -> None:
        # Editing a signed statement voids the sign-off, as in the app.
        voided = services.criterion_save(
            criterion=obj,
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        if voided:
            self.message_user(
                request,
                "The statement changed, so its sign-off is void: operations must sign again.",
                messages.WARNING,
            )

    def deletion_refusal(self, obj: AcceptanceCriterion) -> str | None:
        return services.criterion_deletion_refusal(obj)

    def delete_model(self, request: HttpRequest, obj: AcceptanceCriterion) -> None:
        services.criterion_delete(criterion=obj, by=request.user)  # type: ignore[arg-type]


@admin.register(SignOff)
class SignOffAdmin(GuardedAdmin):
    """Evidence: shown, never added, changed or deleted here. Sign-offs are recorded and
    revoked (with a reason) in the app; editing the statement voids them."""

    list_display = [
        "criterion",
        "signed_by",
        "signed_at",
        "signed_as_ops",
        "revoked_at",
        "voided_at",
    ]
    list_select_related = ["criterion", "signed_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
