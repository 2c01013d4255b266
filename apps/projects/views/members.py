"""A transition's members: list, add, change role, remove (leads only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.projects import forms, services
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.guard import ActionRefused
from apps.projects.models import AcceptanceCriterion, Membership, Role


@project_view()
def project_members(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.MemberAddForm(request.POST or None, project=access.project)
    if request.method == "POST":
        access.require(access.can_manage)
        if form.is_valid():
            # The same answer whether or not the address has an account: a redirect
            # and one sentence, so that adding members cannot probe the directory.
            user, role = form.cleaned_data["user"], form.cleaned_data["role"]
            if user is not None:
                services.membership_add(
                    project=access.project, user=user, role=role, by=request.user
                )
            messages.info(request, forms.member_add_answer(form.cleaned_data["email"], role))
            return redirect("projects:members", project_id=access.project.pk)
    members = access.project.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "projects/members.html",
        {
            "project": access.project,
            "access": access,
            "members": members,
            "form": form,
            "roles": Role.choices,
        },
    )


@require_POST
@project_view(capability("can_manage"))
def member_update(
    request: AuthenticatedRequest, access: ProjectAccess, membership_id: int
) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, project=access.project
    )
    back = redirect("projects:members", project_id=access.project.pk)
    if "remove" in request.POST:
        # Removing asks first, on a page of its own (`member_remove`): nothing changes here.
        return redirect(
            "projects:member-remove", project_id=access.project.pk, membership_id=membership.pk
        )
    form = forms.MemberRoleForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("Choose one of the listed roles.")
    services.membership_set(
        project=access.project,
        user=membership.user,
        role=form.cleaned_data["role"],
        by=request.user,
    )
    role = Role(form.cleaned_data["role"]).label
    messages.success(request, f"{membership.user}'s role is now {role}.")
    return back


# The value of the confirmation page's button; a POST without it removes nobody.
CONFIRMED = "yes"


@project_view(capability("can_manage"))
def member_remove(
    request: AuthenticatedRequest, access: ProjectAccess, membership_id: int
) -> HttpResponse:
    """Remove a member, after saying who loses access and what stays assigned to them:
    a GET shows the confirmation page (no JavaScript needed); only a POST carrying its
    `confirm` button removes."""
    project = access.project
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, project=project
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == CONFIRMED:
            services.membership_remove(membership=membership, by=request.user)
            messages.success(request, f"{membership.user} was removed.")
            return redirect("projects:members", project_id=project.pk)
        status = 400
        messages.error(request, "Nobody was removed: confirm below to remove this member.")
    user = membership.user
    return render(
        request,
        "projects/member_remove_confirm.html",
        {
            "project": project,
            "access": access,
            "membership": membership,
            "open_tasks": project.tasks.open().filter(owner=user).count(),
            "criteria_to_sign": AcceptanceCriterion.objects.current()
            .unsigned()
            .filter(project=project, expected_signer=user)
            .count(),
            "is_self": user.pk == request.user.pk,
            "confirmed": CONFIRMED,
        },
        status=status,
    )
