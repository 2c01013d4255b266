"""The runbooks of a transition: the list with its scenario search, the reading view the
on-call engineer follows, and the runbook editor.

The reading view answers the three questions operations asks of every scenario: what
do I do when this breaks, who do I call, and what does normal look like versus a
problem. "Who do I call" is resolved from the support model (never typed in), for
every scenario in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.models import Project
from apps.projects.pages import form_page
from apps.runbooks import permissions, readiness, services
from apps.runbooks.forms import RunbookForm, SearchForm
from apps.runbooks.models import Runbook, Scenario, Walkthrough
from apps.runbooks.views import export as export_views
from apps.runbooks.views.export import runbook_markdown, runbook_print  # noqa: F401
from apps.support import calls
from apps.support.models import Path

edit = project_view(permissions.can_edit_runbooks)

# The search lists at most this many scenarios: a symptom is meant to narrow it down.
SEARCH_LIMIT = 50
# A new runbook is due for review this many days after it is written.
REVIEW_DAYS = 90


def list_url(project_id: int) -> str:
    return reverse("runbooks:list", args=[project_id])


def detail_url(project_id: int, runbook_id: int, scenario_id: int | None = None) -> str:
    url = reverse("runbooks:detail", args=[project_id, runbook_id])
    return f"{url}#scenario-{scenario_id}" if scenario_id else url


# -- Who do I call: the support model's answer for each scenario ------------------------


@dataclass(frozen=True)
class WhoToCall:
    """Whom a scenario's engineer calls: its component's owner at the first tier, then
    the escalation path, each with how to reach them. `unresolved` when there is no one
    at all; `warnings` say what is missing even when someone answers."""

    first: calls.Call | None  # None: the scenario names no component
    escalation: Sequence[calls.Call]
    hypercare: bool  # the hypercare path is the one shown
    unresolved: bool
    warnings: Sequence[str] = field(default_factory=tuple)


def who_to_call(project: Project, scenarios: Sequence[Scenario]) -> dict[int, WhoToCall]:
    """The answer for each scenario (by id), P1, from the support model loaded once for
    the page (`export_views.answers`: six queries however many scenarios and components),
    with what is missing said in words."""
    answers = export_views.answers(project, scenarios)
    lead = project.lead
    found = {}
    for scenario in scenarios:
        result = answers[scenario.component_id]
        first = result.owners[0] if scenario.component and result.owners else None
        has_owner = first is not None and first.team is not None
        warnings = []
        if scenario.component is None:
            warnings.append(
                "This scenario names no component, so the support model cannot say who "
                "owns it: edit it and choose its component."
            )
        if not result.escalation:
            warnings.append(
                "There is no escalation path: if the owner cannot resolve it, ask the "
                f"transition's lead, {lead.display_name} ({lead.email})."
            )
        found[scenario.pk] = WhoToCall(
            first=first,
            escalation=result.escalation,
            hypercare=result.path == Path.HYPERCARE,
            unresolved=not has_owner and not result.escalation,
            warnings=tuple(warnings),
        )
    return found


def last_walkthroughs(scenarios: Iterable[Scenario]) -> dict[int, Walkthrough]:
    """Each scenario's latest walkthrough (by id), with who recorded it: one query."""
    ids = [s.last_walkthrough_id for s in scenarios if s.last_walkthrough_id]  # type: ignore[attr-defined]
    if not ids:
        return {}
    rows = Walkthrough.objects.filter(pk__in=ids).select_related("recorded_by")
    return {w.scenario_id: w for w in rows}


def with_last_walkthrough(scenarios: QuerySet[Scenario]) -> QuerySet[Scenario]:
    latest = Walkthrough.objects.filter(scenario=OuterRef("pk")).order_by("-held_on", "-pk")
    return scenarios.annotate(last_walkthrough_id=Subquery(latest.values("pk")[:1]))


# -- Pages -----------------------------------------------------------------------------


def search_scenarios(project: Project, query: str) -> list[Scenario]:
    """Scenarios whose title, symptoms, alert names or component (its own, or its
    runbook's) contain `query`, case-insensitively; one query."""
    matches = Q(title__icontains=query)
    matches |= Q(symptoms__icontains=query)
    matches |= Q(alert_names__icontains=query)
    matches |= Q(component__name__icontains=query)
    matches |= Q(component__isnull=True, runbook__component__name__icontains=query)
    return list(
        Scenario.objects.filter(matches, project=project)
        .select_related("runbook", "component")
        .order_by("runbook__title", "runbook", "position", "pk")[:SEARCH_LIMIT]
    )


@project_view()
@require_http_methods(["GET"])
def runbook_list(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """The transition's runbooks, what the gate still misses, and a search for the
    scenario an alert or a symptom points at. A fixed number of queries."""
    project = access.project
    today = timezone.localdate()
    searched = bool(request.GET.get("q", "").strip())
    form = SearchForm(request.GET if searched else None)
    results: list[Scenario] | None = None
    if searched and form.is_valid():
        results = search_scenarios(project, form.cleaned_data["q"])
    runbooks = list(
        Runbook.objects.filter(project=project)
        .select_related("component", "owner")
        .annotate(scenario_count=Count("scenarios"))
    )
    for runbook in runbooks:
        runbook.is_stale = runbook.review_by < today  # type: ignore[attr-defined]
    return render(
        request,
        "runbooks/list.html",
        {
            "access": access,
            "project": project,
            "runbooks": runbooks,
            "can_edit": permissions.can_edit_runbooks(access),
            "form": form,
            "query": form.cleaned_data.get("q", "") if searched and form.is_valid() else "",
            "results": results,
            "truncated": results is not None and len(results) == SEARCH_LIMIT,
            "gate": readiness.assess(project, today=today),
        },
        status=400 if searched and not form.is_valid() else 200,
    )


@project_view()
@require_http_methods(["GET"])
def runbook_detail(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    """The reading view: each scenario with its symptoms, normal versus a problem, the
    steps, its alerts, who to call and its last walkthrough. Queries do not grow with
    the number of scenarios, components or walkthroughs."""
    project = access.project
    runbook = get_object_or_404(
        Runbook.objects.select_related("component", "owner"), pk=runbook_id, project=project
    )
    scenarios = list(
        with_last_walkthrough(Scenario.objects.filter(runbook=runbook)).select_related("component")
    )
    who = who_to_call(project, scenarios)
    walked = last_walkthroughs(scenarios)
    cards = [
        {
            "scenario": s,
            "who": who[s.pk],
            "walkthrough": walked.get(s.pk),
            "first": n == 0,
            "last": n == len(scenarios) - 1,
        }
        for n, s in enumerate(scenarios)
    ]
    return render(
        request,
        "runbooks/detail.html",
        {
            "access": access,
            "project": project,
            "runbook": runbook,
            "stale": runbook.review_by < timezone.localdate(),
            "cards": cards,
            "can_edit": permissions.can_edit_runbooks(access),
            "can_walk": permissions.can_record_walkthrough(access),
        },
    )


def _runbook_form(
    request: AuthenticatedRequest, access: ProjectAccess, runbook: Runbook, **kwargs: Any
) -> RunbookForm:
    return RunbookForm(
        request.POST if request.method == "POST" else None,
        instance=runbook,
        project=access.project,
        **kwargs,
    )


@edit
@require_http_methods(["GET", "POST"])
def runbook_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    runbook = Runbook(project=project)
    initial = {
        "owner": request.user.pk,
        "review_by": timezone.localdate() + dt.timedelta(days=REVIEW_DAYS),
    }
    form = _runbook_form(request, access, runbook, initial=initial)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.runbook_save(runbook=f.instance, by=request.user),
        title="Write a runbook",
        intro="A runbook is a set of scenarios: what to do when something breaks. Start "
        "it as a draft; publish it when operations could follow it.",
        back_url=list_url(project.pk),
        back_label="Runbooks",
        saved=lambda: f"“{runbook.title}” created: now add its scenarios.",
        done_url=lambda: detail_url(project.pk, runbook.pk),
    )


@edit
@require_http_methods(["GET", "POST"])
def runbook_edit(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    project = access.project
    runbook = get_object_or_404(Runbook, pk=runbook_id, project=project)
    title = runbook.title
    form = _runbook_form(request, access, runbook)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.runbook_save(
            runbook=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit {title}",
        back_url=detail_url(project.pk, runbook.pk),
        back_label=title,
        saved=lambda: f"“{runbook.title}” saved.",
        delete_url=reverse("runbooks:delete", args=[project.pk, runbook.pk]),
        delete_label="Delete runbook",
        delete_confirm="Delete this runbook and all its scenarios? The audit history keeps "
        "a record of them.",
    )


@require_POST
@edit
def runbook_delete(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    runbook = get_object_or_404(Runbook, pk=runbook_id, project=access.project)
    services.runbook_delete(runbook=runbook, by=request.user)
    messages.success(request, f"“{runbook.title}” deleted, with its scenarios.")
    return redirect(list_url(access.project.pk))
