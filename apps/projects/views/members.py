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
from apps.projects.models import Membership, Role


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
        services.membership_remove(membership=membership, by=request.user)
        messages.success(request, f"{membership.user} was removed.")
        return back
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
