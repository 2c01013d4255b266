"""The ownership matrix (components x tiers), its cells edited in place, and the gaps."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.core.concurrency import version_of
from apps.core.htmx import AuthenticatedRequest
from apps.core.readiness import GateResult
from apps.projects.access import ProjectAccess, project_view
from apps.support import permissions, readiness, services
from apps.support.forms import CellForm
from apps.support.models import Component, Ownership, SupportTeam, Tier


def gate_result(access: ProjectAccess) -> GateResult:
    """The "Support model" gate as the data stands (seven queries)."""
    project = access.project
    return readiness.evaluate(readiness.facts_for(project), project_id=project.pk)


def gap_sentences_by_anchor(gate: GateResult) -> dict[str, list[str]]:
    """The gap sentences by the anchor they link to (`team-<id>`, `level-<id>`)."""
    found: dict[str, list[str]] = {}
    for finding in gate.findings:
        _, _, anchor = finding.url.partition("#")
        found.setdefault(anchor, []).append(finding.sentence)
    return found


def _context(access: ProjectAccess, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "project": access.project,
        "can_edit": permissions.can_edit_support(access),
        **extra,
    }


@project_view()
@require_http_methods(["GET"])
def matrix(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Every component against every tier: who owns it, when, how fast they respond."""
    project = access.project
    tiers = list(Tier.objects.filter(project=project))
    cells = {
        (cell.component_id, cell.tier_id): cell
        for cell in Ownership.objects.filter(project=project).select_related("team")
    }
    rows = [
        (component, [(tier, cells.get((component.pk, tier.pk))) for tier in tiers])
        for component in Component.objects.filter(project=project)
    ]
    return render(
        request,
        "support/matrix.html",
        _context(access, tiers=tiers, rows=rows, gate=gate_result(access)),
    )


@project_view()
@require_http_methods(["GET"])
def gaps(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Every gap, blocking ones first, each linking to where it is fixed."""
    gate = gate_result(access)
    return render(
        request,
        "support/gaps.html",
        _context(
            access,
            gate=gate,
            blocking=[f for f in gate.findings if f.blocking],
            advisory=[f for f in gate.findings if not f.blocking],
        ),
    )


def _cell_context(
    access: ProjectAccess, component: Component, tier: Tier, **extra: Any
) -> dict[str, Any]:
    return _context(access, component=component, tier=tier, **extra)


def _cell_form_response(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    component: Component,
    tier: Tier,
    form: CellForm,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _cell_context(access, component, tier, form=form, errors=errors or [])
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        return render(request, "support/matrix.html#cell-form", context)
    return render(request, "support/cell_page.html", context, status=status)


def _refused_cell(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    errors: list[str],
    component_id: int,
    tier_id: int,
) -> HttpResponse:
    """A refused save (a cell someone else changed, a closed transition): the form again,
    as the cell now stands, with the reason."""
    component = get_object_or_404(Component, pk=component_id, project=access.project)
    tier = get_object_or_404(Tier, pk=tier_id, project=access.project)
    cell = Ownership.objects.filter(component=component, tier=tier).first()
    form = _cell_form(access, cell)
    return _cell_form_response(request, access, component, tier, form, errors=errors, status=409)


def _cell_form(access: ProjectAccess, cell: Ownership | None, data: Any = None) -> CellForm:
    teams = SupportTeam.objects.filter(project=access.project)
    initial: dict[str, Any] = {"version": ""}
    if cell is not None:
        initial = {
            "team": cell.team_id,
            "hours": cell.hours,
            **{f"p{n}_minutes": getattr(cell, f"p{n}_minutes") for n in (1, 2, 3, 4)},
            "version": version_of(cell),
        }
    return CellForm(data, teams=teams, initial=initial)


@project_view(htmx_region=_refused_cell)
@require_http_methods(["GET", "POST"])
def cell(
    request: AuthenticatedRequest, access: ProjectAccess, component_id: int, tier_id: int
) -> HttpResponse:
    """GET: the cell's form (`?show=1`: the cell as it stands, to cancel an edit in
    place). POST: set or clear the owner; htmx gets the cell back, and the gaps
    summary out of band."""
    component = get_object_or_404(Component, pk=component_id, project=access.project)
    tier = get_object_or_404(Tier, pk=tier_id, project=access.project)
    current = (
        Ownership.objects.select_related("team").filter(component=component, tier=tier).first()
    )
    if request.method == "GET" and request.GET.get("show"):
        return render(
            request,
            "support/matrix.html#cell",
            _cell_context(access, component, tier, cell=current),
        )
    access.require(permissions.can_edit_support(access))
    if request.method == "GET":
        return _cell_form_response(request, access, component, tier, _cell_form(access, current))
    form = _cell_form(access, current, request.POST)
    if not form.is_valid():
        return _cell_form_response(request, access, component, tier, form, status=400)
    saved = services.cell_set(
        project=access.project,
        component=component,
        tier=tier,
        values=form.values(),
        by=request.user,
        seen_version=form.cleaned_data["version"],
    )
    if not request.htmx:
        return redirect(
            f"{reverse('support:matrix', args=[access.project.pk])}#component-{component.pk}"
        )
    if saved is not None:
        saved = Ownership.objects.select_related("team").get(pk=saved.pk)
    return render(
        request,
        "support/cell_saved.html",
        _cell_context(access, component, tier, cell=saved, gate=gate_result(access)),
    )
