"""The escalation paths (standard, and the one used during hypercare): ordered levels,
added, edited, deleted and moved up or down."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.guard import ActionRefused
from apps.projects.models import member_users
from apps.projects.pages import form_page
from apps.support import calls, permissions, services
from apps.support.forms import LevelForm, MoveForm
from apps.support.models import EscalationLevel, Path
from apps.support.views.matrix import gap_sentences_by_anchor, gate_result

edit = project_view(permissions.can_edit_support)
# Where the forms' way back goes, as they name it.
BACK = "Support model"


def _escalation_url(access: ProjectAccess, anchor: str = "") -> str:
    url = reverse("support:escalation", args=[access.project.pk])
    return f"{url}#{anchor}" if anchor else url


def _paths(access: ProjectAccess) -> list[dict[str, Any]]:
    """Both paths, each level with its contacts, when, and its gaps (three queries)."""
    levels = list(
        EscalationLevel.objects.filter(project=access.project)
        .select_related("team", "person")
        .prefetch_related(Prefetch("team__members", queryset=member_users(access.project)))
    )
    by_anchor = gap_sentences_by_anchor(gate_result(access))
    members = set(member_users(access.project).values_list("pk", flat=True)) if levels else set()
    paths = []
    for path, label, intro in (
        (
            Path.STANDARD,
            "Escalation path",
            "Whom to call, in order, when the owners in the matrix cannot resolve an incident.",
        ),
        (
            Path.HYPERCARE,
            "Hypercare escalation path",
            "Used instead during hypercare, when the delivery team is still on hand. "
            "Without it, the standard path applies.",
        ),
    ):
        rows = [lv for lv in levels if lv.path == path]
        for n, level in enumerate(rows, start=1):
            level.when = calls.when(level, first=n == 1)  # type: ignore[attr-defined]
            level.gaps = by_anchor.get(f"level-{level.pk}", [])  # type: ignore[attr-defined]
            # A person who left the transition is named (the gap says so), never their email.
            level.person_current = level.person_id is None or level.person_id in members  # type: ignore[attr-defined]
        paths.append(
            {
                "key": path,
                "label": label,
                "intro": intro,
                "levels": rows,
                "gaps": by_anchor.get(f"path-{path}", []),
            }
        )
    return paths


def _context(access: ProjectAccess) -> dict[str, Any]:
    return {
        "access": access,
        "project": access.project,
        "can_edit": permissions.can_edit_support(access),
        "paths": _paths(access),
    }


@project_view()
@require_http_methods(["GET"])
def path_list(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    return render(request, "support/escalation.html", _context(access))


@edit
@require_http_methods(["GET", "POST"])
def level_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    path = request.GET.get("path")
    level = EscalationLevel(
        project=access.project, position=0, path=path if path in Path.values else Path.STANDARD
    )
    form = LevelForm(request.POST or None, instance=level, project=access.project)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.level_save(level=f.instance, by=request.user),
        title="Add an escalation level",
        intro="The level goes at the end of its path; move it on the escalation page.",
        back_url=_escalation_url(access),
        saved=lambda: (
            f"Level {level.position} of the {level.get_path_display().lower()} path added."
        ),
    )


@edit
@require_http_methods(["GET", "POST"])
def level_edit(request: AuthenticatedRequest, access: ProjectAccess, level_id: int) -> HttpResponse:
    level = get_object_or_404(EscalationLevel, pk=level_id, project=access.project)
    form = LevelForm(request.POST or None, instance=level, project=access.project)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.level_save(
            level=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit {level}",
        back_url=_escalation_url(access, f"level-{level.pk}"),
        saved=lambda: f"{level} saved.",
        delete_url=reverse("support:level-delete", args=[access.project.pk, level.pk]),
        delete_label="Delete level",
        delete_confirm="Delete this escalation level? The levels after it move up.",
    )


@require_POST
@edit
def level_delete(
    request: AuthenticatedRequest, access: ProjectAccess, level_id: int
) -> HttpResponse:
    level = get_object_or_404(EscalationLevel, pk=level_id, project=access.project)
    services.level_delete(level=level, by=request.user)
    messages.success(request, f"{level} deleted; the levels after it moved up.")
    return redirect(_escalation_url(access, f"path-{level.path}"))


def _path_region(
    request: AuthenticatedRequest, access: ProjectAccess, errors: list[str], level_id: int
) -> HttpResponse:
    """The paths as they now stand, with the refusal shown above them."""
    return render(request, "support/escalation.html#paths", {**_context(access), "errors": errors})


@require_POST
@project_view(permissions.can_edit_support, htmx_region=_path_region)
def level_move(request: AuthenticatedRequest, access: ProjectAccess, level_id: int) -> HttpResponse:
    """Move a level up or down its path; htmx gets both paths back, in their new order."""
    level = get_object_or_404(EscalationLevel, pk=level_id, project=access.project)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ActionRefused("Move a level up or down.")
    services.level_move(level=level, direction=form.cleaned_data["direction"], by=request.user)
    if request.htmx:
        return render(request, "support/escalation.html#paths", _context(access))
    return redirect(_escalation_url(access, f"level-{level.pk}"))
