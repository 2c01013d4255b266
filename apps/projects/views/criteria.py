"""Acceptance criteria: add, edit, delete, withdraw and restore, and the inline sign-off
and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.concurrency import conflict_status
from apps.core.htmx import AuthenticatedRequest
from apps.projects import forms, services
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.guard import ActionRefused, EditConflict
from apps.projects.models import AcceptanceCriterion, SignOff
from apps.projects.views import portfolio
from apps.projects.views.transition import criteria_for_page


@project_view(capability("can_edit"))
def criterion_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    criterion = AcceptanceCriterion(project=access.project)
    form = forms.CriterionForm(
        request.POST or None,
        instance=criterion,
        project=access.project,
        initial={
            "expected_signer": access.project.ops_lead_id,
            "expected_team": access.project.ops_team_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.criterion_save(criterion=form.instance, by=request.user, now=timezone.now())
        messages.success(request, "Acceptance criterion added.")
        return redirect(access.project)
    return render(
        request,
        "projects/criterion_form.html",
        {"form": form, "project": access.project, "criterion": None},
    )


@project_view(capability("can_edit"))
def criterion_edit(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    if criterion.is_withdrawn:
        raise ActionRefused(services.WITHDRAWN_CANNOT_CHANGE)  # the service refuses a save too
    form = forms.CriterionForm(request.POST or None, instance=criterion, project=access.project)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            voided = services.criterion_save(
                criterion=form.instance,
                by=request.user,
                now=timezone.now(),
                seen_version=form.seen_version,
            )
        except EditConflict as conflict:
            # Not a refusal to redirect away from: the form stays, with the user's input.
            form.show_conflict(conflict.messages, conflict.version)
            status = conflict_status(request)
        else:
            if voided:
                messages.warning(
                    request,
                    "The statement changed, so its sign-off is void: operations must sign again.",
                )
            else:
                messages.success(request, "Acceptance criterion updated.")
            return redirect(access.project)
    return render(
        request,
        "projects/criterion_form.html",
        {"form": form, "project": access.project, "criterion": criterion},
        status=status,
    )


@require_POST
@project_view(capability("can_edit"))
def criterion_delete(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    services.criterion_delete(criterion=criterion, by=request.user)
    messages.success(request, "Acceptance criterion deleted.")
    return redirect(access.project)


@require_POST
@project_view(capability("can_edit"))
def criterion_withdraw(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(list(form.errors["reason"]))
    services.criterion_withdraw(
        criterion=criterion, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
    )
    messages.success(request, "Acceptance criterion withdrawn: it no longer counts.")
    return redirect(access.project)


@require_POST
@project_view(capability("can_edit"))
def criterion_restore(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    services.criterion_restore(criterion=criterion, by=request.user)
    messages.success(request, "Acceptance criterion restored: it awaits sign-off again.")
    return redirect(access.project)


def _criterion_row(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    errors: list[str],
    criterion_id: int,
    **kwargs: object,
) -> HttpResponse:
    """The criterion's row as it now stands; a refusal shows under the form that failed
    (its My items row when the sign-off was posted from there)."""
    if portfolio.came_from_my_items(request):
        return portfolio.my_criterion_row(request, access, errors, criterion_id=criterion_id)
    criterion = get_object_or_404(criteria_for_page(), pk=criterion_id, project=access.project)
    failed_form = "revoke" if "signoff_id" in kwargs else "sign-off"
    response = render(
        request,
        "projects/detail.html#criterion-row",
        {
            "criterion": criterion,
            "project": access.project,
            "access": access,
            "row_error": " ".join(errors),
            "row_error_form": failed_form if errors else "",
            "today": timezone.localdate(),
        },
    )
    response["HX-Trigger"] = "counts-changed"
    return response


@require_POST
@project_view(capability("can_sign_off"), htmx_region=_criterion_row)
def criterion_sign_off(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    form = forms.SignOffForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("The form was incomplete: reload the page and sign off again.")
    services.criterion_sign_off(
        criterion=criterion,
        by=request.user,
        role=access.role,
        comment=form.cleaned_data["comment"],
        as_ops=form.cleaned_data["as_ops"],
        now=timezone.now(),
        seen_digest=form.cleaned_data["statement_digest"],
    )
    if not request.htmx:
        messages.success(request, "Signed off.")
        if portfolio.came_from_my_items(request):
            return redirect("projects:my-items")
        return redirect(access.project)
    return _criterion_row(request, access, [], criterion_id=criterion.pk)


@require_POST
@project_view(capability("can_sign_off"), htmx_region=_criterion_row)
def signoff_revoke(
    request: AuthenticatedRequest, access: ProjectAccess, criterion_id: int, signoff_id: int
) -> HttpResponse:
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    signoff = get_object_or_404(SignOff, pk=signoff_id, criterion=criterion)
    form = forms.RevokeForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("Say why the sign-off is revoked.")
    services.signoff_revoke(
        signoff=signoff, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
    )
    if not request.htmx:
        messages.success(request, "Sign-off revoked.")
        return redirect(access.project)
    return _criterion_row(request, access, [], criterion_id=criterion.pk, signoff_id=signoff.pk)
