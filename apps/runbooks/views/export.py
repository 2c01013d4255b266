"""A runbook exported: a Markdown file, and a page made for printing.

Both are for every member (reading is not editing; a non-member gets 404 from
`project_view`), both show the same content in the same order as
`apps.runbooks.export` writes it, and both answer "who do I call" from the support
model for a P1 on each scenario's component, in a fixed number of queries however
many scenarios the runbook has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.models import Phase, Project, member_users
from apps.runbooks import export
from apps.runbooks.models import Runbook, Scenario
from apps.support import calls
from apps.support.models import Component, EscalationLevel, Ownership, SupportSettings, Tier


def answers(project: Project, scenarios: Sequence[Scenario]) -> dict[int | None, calls.Answer]:
    """ "Who do I call" for a P1 on each scenario's component (by component id; None for
    the scenarios without one: the escalation path alone), in six queries: the tiers,
    the cells with their teams' members, the catch-all with its members, the levels
    with their teams' members, the member ids."""
    if not scenarios:
        return {}
    members = member_users(project)
    components = {s.component_id: s.component for s in scenarios}
    tiers = list(Tier.objects.filter(project=project))
    cells: dict[int, list[Ownership]] = defaultdict(list)
    for cell in (
        Ownership.objects.filter(project=project, component__in=[c for c in components if c])
        .select_related("team")
        .prefetch_related(Prefetch("team__members", queryset=members))
    ):
        cells[cell.component_id].append(cell)
    support = (
        SupportSettings.objects.filter(project=project)
        .select_related("catch_all")
        .prefetch_related(Prefetch("catch_all__members", queryset=members))
        .first()
    )
    levels = list(
        EscalationLevel.objects.filter(project=project)
        .select_related("team", "person")
        .prefetch_related(Prefetch("team__members", queryset=members))
    )
    member_ids = set(members.values_list("pk", flat=True))
    result = {}
    for key, component in components.items():
        result[key] = calls.answer(
            # Without a component only the escalation path answers (`answer` echoes
            # the component back; no tiers and no cells means no owners to list).
            component=component or Component(project=project, name=""),
            priority=export.PRIORITY,
            tiers=tiers if component else [],
            cells=cells[key] if key else [],
            catch_all=support.catch_all if support and component else None,
            levels=levels,
            in_hypercare=project.phase == Phase.HYPERCARE,
            member_ids=member_ids,
        )
    return result


def _load(access: ProjectAccess, runbook_id: int) -> tuple[Runbook, list[Scenario]]:
    runbook = get_object_or_404(
        Runbook.objects.select_related("component", "owner"),
        pk=runbook_id,
        project=access.project,
    )
    scenarios = list(
        Scenario.objects.filter(runbook=runbook)
        .select_related("component")
        .order_by("position", "pk")
    )
    return runbook, scenarios


@project_view()
@require_GET
def runbook_markdown(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    """The runbook as a Markdown file, `<its title, slugged>.md`."""
    runbook, scenarios = _load(access, runbook_id)
    body = export.markdown(
        runbook=runbook,
        scenarios=scenarios,
        answers=answers(access.project, scenarios),
        lead=access.project.lead,
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(runbook)}"'
    return response


@project_view()
@require_GET
def runbook_print(
    request: AuthenticatedRequest, access: ProjectAccess, runbook_id: int
) -> HttpResponse:
    """The runbook on one page for the printer (transition.css, `@media print`): each
    scenario starts a new sheet; the navigation, tabs and buttons are not printed."""
    runbook, scenarios = _load(access, runbook_id)
    found = answers(access.project, scenarios)
    return render(
        request,
        "runbooks/print.html",
        {
            "access": access,
            "project": access.project,
            "runbook": runbook,
            "scenarios": [
                {
                    "scenario": scenario,
                    "sections": export.sections(scenario),
                    "answer": found.get(scenario.component_id),
                }
                for scenario in scenarios
            ],
            "priority": export.PRIORITY,
        },
    )
