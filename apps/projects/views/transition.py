"""The transition page, its settings, phase moves and activity."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, Prefetch, QuerySet, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.htmx import AuthenticatedRequest, template_for
from apps.projects import activity, forms, phases, services, summary
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.models import AcceptanceCriterion, Phase, SignOff, Task


@project_view()
def project_detail(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    today = timezone.localdate()
    # Open tasks by due date, done ones at the bottom.
    done_last = Case(When(status=Task.Status.DONE, then=1), default=0)
    tasks = list(project.tasks.select_related("owner").order_by(done_last, "due_date", "pk"))
    updatable = {t.pk for t in tasks if access.can_update_task(t.owner_id)}
    criteria = list(criteria_for_page().filter(project=project))
    members = list(project.memberships.select_related("user").order_by("role", "user__email"))
    current = summary.current(project, today=today)
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
    context = {
        "project": project,
        "access": access,
        "tasks": tasks,
        "criteria": criteria,
        "members": members,
        "today": today,
        "next_phases": next_phases,
        "gate_results": summary.gate_results(current),
        "updatable_task_ids": updatable,
        "task_statuses": Task.Status.choices,
        "tasks_done": sum(1 for t in tasks if t.status == Task.Status.DONE),
        "tasks_overdue": sum(1 for t in tasks if t.is_overdue(today)),
        "criteria_signed": sum(1 for c in criteria if c.active_signoff is not None),
    }
    # htmx refreshes the summary counts after an inline change elsewhere on the page.
    return render(
        request, template_for(request, "projects/detail.html", "project-summary"), context
    )


def criteria_for_page() -> QuerySet[AcceptanceCriterion]:
    """Criteria with what their rows show; sign-offs prefetched, so `active_signoff`
    costs no query."""
    signoffs = SignOff.objects.select_related("signed_by", "revoked_by").order_by("-signed_at")
    return AcceptanceCriterion.objects.select_related(
        "expected_signer", "expected_team"
    ).prefetch_related(Prefetch("signoffs", queryset=signoffs))


@project_view(capability("can_manage"))
def project_edit(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None, instance=access.project)
    if request.method == "POST" and form.is_valid():
        services.project_update(
            project_id=access.project.pk,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            by=request.user,
        )
        messages.success(request, "Transition updated.")
        return redirect(access.project)
    return render(request, "projects/project_form.html", {"form": form, "project": access.project})


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
