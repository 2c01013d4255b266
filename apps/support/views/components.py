"""Components in scope and the support tiers: add, edit, delete, reorder the tiers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.guard import ActionRefused
from apps.projects.pages import form_page
from apps.support import permissions, services
from apps.support.forms import ComponentForm, MoveForm, TierForm
from apps.support.models import Component, Tier

edit = project_view(permissions.can_edit_support)
# Where the forms' way back goes, as they name it.
BACK = "Support model"


def _matrix(access: ProjectAccess, anchor: str = "") -> str:
    url = reverse("support:matrix", args=[access.project.pk])
    return f"{url}#{anchor}" if anchor else url


@edit
@require_http_methods(["GET", "POST"])
def component_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    component = Component(project=access.project)
    form = ComponentForm(request.POST or None, instance=component)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.component_save(component=f.instance, by=request.user),
        title="Add a component",
        intro="Something operations will support: an application, a database, an "
        "integration, a batch job, infrastructure or a vendor's service.",
        back_url=_matrix(access, "components"),
        saved=lambda: f"“{component.name}” added: now give it an owner at every tier.",
    )


@edit
@require_http_methods(["GET", "POST"])
def component_edit(
    request: AuthenticatedRequest, access: ProjectAccess, component_id: int
) -> HttpResponse:
    component = get_object_or_404(Component, pk=component_id, project=access.project)
    form = ComponentForm(request.POST or None, instance=component)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.component_save(
            component=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit {component.name}",
        back_url=_matrix(access, f"component-{component.pk}"),
        saved=lambda: f"“{component.name}” saved.",
        delete_url=reverse("support:component-delete", args=[access.project.pk, component.pk]),
        delete_label="Delete component",
        delete_confirm="Delete this component and its owners in the matrix? The audit "
        "history keeps a record of them.",
    )


@require_POST
@edit
def component_delete(
    request: AuthenticatedRequest, access: ProjectAccess, component_id: int
) -> HttpResponse:
    component = get_object_or_404(Component, pk=component_id, project=access.project)
    services.component_delete(component=component, by=request.user)
    messages.success(request, f"“{component.name}” deleted, with its owners in the matrix.")
    return redirect(_matrix(access, "components"))


@edit
@require_http_methods(["GET", "POST"])
def tier_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    tier = Tier(project=access.project, position=0)
    form = TierForm(request.POST or None, instance=tier)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.tier_save(tier=f.instance, by=request.user),
        title="Add a support tier",
        intro="A tier comes after the existing ones; move it up on the matrix page.",
        back_url=_matrix(access, "tiers"),
        saved=lambda: f"Tier “{tier.name}” added: every component now needs an owner there.",
    )


@edit
@require_http_methods(["GET", "POST"])
def tier_edit(request: AuthenticatedRequest, access: ProjectAccess, tier_id: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=tier_id, project=access.project)
    form = TierForm(request.POST or None, instance=tier)
    owned = tier.ownerships.count()
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.tier_save(
            tier=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit tier {tier.name}",
        back_url=_matrix(access, "tiers"),
        saved=lambda: f"Tier “{tier.name}” saved.",
        delete_url=reverse("support:tier-delete", args=[access.project.pk, tier.pk]),
        delete_label="Delete tier",
        delete_confirm=(
            f"Delete this tier and its {owned} owner{'s' if owned != 1 else ''} in the matrix? "
            "The audit history keeps a record of them."
        ),
    )


@require_POST
@edit
def tier_delete(request: AuthenticatedRequest, access: ProjectAccess, tier_id: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=tier_id, project=access.project)
    services.tier_delete(tier=tier, by=request.user)
    messages.success(request, f"Tier “{tier.name}” deleted, with its owners in the matrix.")
    return redirect(_matrix(access, "tiers"))


@require_POST
@edit
def tier_move(request: AuthenticatedRequest, access: ProjectAccess, tier_id: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=tier_id, project=access.project)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("Move a tier up or down.")
    services.tier_move(tier=tier, direction=form.cleaned_data["direction"], by=request.user)
    return redirect(_matrix(access, "tiers"))
