"""A runbook's scenarios: add, edit, delete, and move up or down in the reading order."""

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
from apps.runbooks import permissions, services
from apps.runbooks.forms import MoveForm, ScenarioForm
from apps.runbooks.models import Runbook, Scenario
from apps.runbooks.views.runbooks import detail_url

edit = project_view(permissions.can_edit_runbooks)

INTRO = (
    "Write it for an engineer who has never seen the service, at 3 a.m.: what they see, "
    "what normal looks like next to what a problem looks like, then the steps. Steps "
    "are Markdown. Who to call comes from the support model for its component."
)


def _scenario(access: ProjectAccess, scenario_id: int) -> Scenario:
    return get_object_or_404(
        Scenario.objects.select_related("runbook"), pk=scenario_id, project=access.project
    )


@edit
@require_http_methods(["GET", "POST"])
def scenario_create(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    project = access.project
    runbook = get_object_or_404(Runbook, pk=runbook_id, project=project)
    scenario = Scenario(project=project, runbook=runbook)
    form = ScenarioForm(
        request.POST if request.method == "POST" else None,
        instance=scenario,
        project=project,
        initial={"component": runbook.component_id},
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.scenario_save(scenario=f.instance, by=request.user),
        title=f"Add a scenario to {runbook.title}",
        intro=INTRO,
        back_url=detail_url(project.pk, runbook.pk),
        back_label=runbook.title,
        saved=lambda: f"Scenario “{scenario.title}” added.",
        done_url=lambda: detail_url(project.pk, runbook.pk, scenario.pk),
    )


@edit
@require_http_methods(["GET", "POST"])
def scenario_edit(
    request: AuthenticatedRequest, access: ProjectAccess, scenario_id: int
) -> HttpResponse:
    project = access.project
    scenario = _scenario(access, scenario_id)
    runbook = scenario.runbook
    title = scenario.title
    form = ScenarioForm(
        request.POST if request.method == "POST" else None, instance=scenario, project=project
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.scenario_save(
            scenario=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit scenario {title}",
        intro=INTRO,
        back_url=detail_url(project.pk, runbook.pk, scenario.pk),
        back_label=runbook.title,
        saved=lambda: f"Scenario “{scenario.title}” saved.",
        delete_url=reverse("runbooks:scenario-delete", args=[project.pk, scenario.pk]),
        delete_label="Delete scenario",
        delete_confirm="Delete this scenario? The audit history keeps a record of it.",
    )


@require_POST
@edit
def scenario_delete(
    request: AuthenticatedRequest, access: ProjectAccess, scenario_id: int
) -> HttpResponse:
    scenario = _scenario(access, scenario_id)
    services.scenario_delete(scenario=scenario, by=request.user)
    messages.success(request, f"Scenario “{scenario.title}” deleted.")
    return redirect(detail_url(access.project.pk, scenario.runbook_id))


@require_POST
@edit
def scenario_move(
    request: AuthenticatedRequest, access: ProjectAccess, scenario_id: int
) -> HttpResponse:
    """One place up or down in the runbook; back to the scenario, where it now is."""
    scenario = _scenario(access, scenario_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("Move a scenario up or down.")
    services.scenario_move(
        scenario=scenario, direction=form.cleaned_data["direction"], by=request.user
    )
    return redirect(detail_url(access.project.pk, scenario.runbook_id, scenario.pk))
