"""The transition page, its settings, phase moves and activity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.concurrency import conflict_status
from apps.core.htmx import AuthenticatedRequest, template_for
from apps.core.paging import KnownTotalPage
from apps.projects import activity, forms, phases, services, summary
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.guard import EditConflict
from apps.projects.models import AcceptanceCriterion, CriterionQuerySet, Phase, SignOff, Task

# 25 rows a list: a typical transition (about 20 tasks, 6 criteria) fits on one page,
# and a large one stays within the page's time budget (each row carries its forms).
TASKS_PAGE_SIZE = 25
CRITERIA_PAGE_SIZE = 25
# Withdrawn criteria shown (most recent first) in their collapsed list; Activity has all.
WITHDRAWN_SHOWN = 25
# The regions of the transition page that htmx refreshes after an inline change
# (`HX-Trigger: counts-changed`); each asks for itself by its id (HX-Target).
REFRESHED_REGIONS = ("project-summary", "readiness")


@project_view()
def project_detail(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """The transition page: its counts, gates, and its tasks and criteria one page at a time.

    Open tasks come first, 25 a page (`?tasks_page=`); done tasks sit behind a link
    (`?tasks=done`). Criteria awaiting sign-off likewise, signed ones behind
    `?criteria=signed`; withdrawn ones in a collapsed list of their own. The counts
    come from the summary row, so the page reads a fixed number of rows and queries
    however large the transition is.
    """
    project = access.project
    today = timezone.localdate()
    current = summary.current(project, today=today)
    context: dict[str, Any] = {
        "project": project,
        "access": access,
        "today": today,
        "summary": current,
        "gate_results": summary.gate_results(current),
    }
    region = request.htmx.target if request.htmx else None
    template = template_for(
        request,
        "projects/detail.html",
        region if region in REFRESHED_REGIONS else "project-summary",
    )
    if template != "projects/detail.html":
        return render(request, template, context)  # a refreshed region needs no lists

    # Each list is paged without a COUNT: the totals are the summary's.
    show_done = request.GET.get("tasks") == "done"
    tasks = project.tasks.select_related("owner")
    if show_done:
        tasks = tasks.filter(status=Task.Status.DONE).order_by("-completed_at", "-pk")
    else:
        tasks = tasks.open().order_by("due_date", "pk")
    tasks_open = current.tasks_total - current.tasks_done
    tasks_page = KnownTotalPage(
        tasks,
        number=request.GET.get("tasks_page"),
        per_page=TASKS_PAGE_SIZE,
        total=current.tasks_done if show_done else tasks_open,
    )

    show_signed = request.GET.get("criteria") == "signed"
    # Sign-offs are prefetched below, once for this list and the withdrawn one.
    criteria = criteria_for_page().prefetch_related(None).filter(project=project).current()
    criteria = (criteria.signed() if show_signed else criteria.unsigned()).order_by(
        "due_date", "pk"
    )
    criteria_unsigned = current.criteria_total - current.criteria_signed
    criteria_page = KnownTotalPage(
        criteria,
        number=request.GET.get("criteria_page"),
        per_page=CRITERIA_PAGE_SIZE,
        total=current.criteria_signed if show_signed else criteria_unsigned,
    )
    # Read only when the summary counts some, so the page's queries stay as they were.
    withdrawn = (
        list(
            AcceptanceCriterion.objects.withdrawn()
            .filter(project=project)
            .select_related("withdrawn_by")
            .order_by("-withdrawn_at", "-pk")[:WITHDRAWN_SHOWN]
        )
        if current.criteria_withdrawn
        else []
    )
    prefetch_related_objects([*criteria_page.object_list, *withdrawn], signoff_history())

    next_phases = []
    if access.can_change_phase:
        # The service re-checks on the locked row; the page explains disabled moves.
        facts = phases.PhaseFacts(
            go_live_date=project.go_live_date,
            criteria_total=current.criteria_total,
            criteria_unsigned=current.criteria_total - current.criteria_signed,
        )
        next_phases = [
            (phase, Phase(phase).label, phases.move_blockers(project.phase, phase, facts))
            for phase in phases.allowed_moves(project.phase)
        ]
    context.update(
        {
            "tasks_view": "done" if show_done else "open",
            "tasks_page": tasks_page,
            "tasks": tasks_page.object_list,
            "tasks_open": tasks_open,
            "updatable_task_ids": {t.pk for t in tasks_page if access.can_update_task(t.owner_id)},
            "task_statuses": Task.Status.choices,
            "criteria_view": "signed" if show_signed else "unsigned",
            "criteria_page": criteria_page,
            "criteria": criteria_page.object_list,
            "criteria_unsigned": criteria_unsigned,
            "withdrawn": withdrawn,
            "members": list(
                project.memberships.select_related("user").order_by("role", "user__email")
            ),
            "next_phases": next_phases,
        }
    )
    return render(request, template, context)


def criteria_for_page() -> CriterionQuerySet:
    """Criteria with what their rows show; sign-offs prefetched, so `active_signoff`
    costs no query."""
    return AcceptanceCriterion.objects.select_related(
        "expected_signer", "expected_team"
    ).prefetch_related(signoff_history())


def signoff_history() -> Prefetch:
    """A criterion's sign-offs, newest first, with who signed and who revoked them."""
    signoffs = SignOff.objects.select_related("signed_by", "revoked_by").order_by("-signed_at")
    return Prefetch("signoffs", queryset=signoffs)


@project_view(capability("can_manage"))
def project_edit(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None, instance=access.project, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project_id=access.project.pk,
                changes={
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in services.EDITABLE_FIELDS
                },
                by=request.user,
                seen_version=form.seen_version,
            )
        except EditConflict as conflict:
            # Not a refusal to redirect away from: the form stays, with the user's input.
            form.show_conflict(conflict.messages, conflict.version)
            status = conflict_status(request)
        else:
            messages.success(request, "Transition updated.")
            return redirect(access.project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": access.project},
        status=status,
    )


@require_POST
@project_view(capability("can_change_phase"))
def project_phase(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a phase to move to.")
        return redirect(access.project)
    services.project_change_phase(
        project=access.project, to=form.cleaned_data["phase"], by=request.user
    )
    messages.success(request, f"Moved to {access.project.get_phase_display()}.")
    return redirect(access.project)


@project_view()
def project_activity(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    feed = activity.recent(access.project, page=page)
    return render(
        request,
        "projects/activity.html",
        {"project": access.project, "access": access, "feed": feed, "entries": feed.entries},
    )
