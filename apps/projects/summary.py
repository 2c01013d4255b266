"""Keep each transition's `ProjectSummary` row exact.

Why a stored summary rather than counting on every page view: the portfolio
sorts and pages over every visible transition (1,000 and more), and counting
tasks, criteria and gate results per transition on each view grew with the
data (about 50 times the floor at 1,000 transitions on PostgreSQL). A row per
transition, recomputed for that one transition inside `project_write` (under
the project lock, so two writers cannot interleave their recomputations), makes
the dashboard a single indexed query whatever the portfolio's size.

What changes with the date alone (a task becomes overdue at midnight) is
refreshed by the daily beat job `projects.refresh_summaries`, for rows
computed on an earlier day; `refresh_stale` is that job's body and the
`refresh_summaries` command's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.core.readiness import GateResult
from apps.projects import gates
from apps.projects.models import AcceptanceCriterion, Project, ProjectSummary, SignOff, Task


def compute(project: Project, *, today: dt.date) -> ProjectSummary:
    """The summary of `project` as of `today`, not saved."""
    return compute_many([project], today=today)[0]


def compute_many(projects: Sequence[Project], *, today: dt.date) -> list[ProjectSummary]:
    """`compute` for each of `projects` (not saved), with a fixed number of queries.

    For bulk work (seed_scale); the same rows `compute` gives, which the tests check.
    """
    ids = [p.pk for p in projects]
    tasks = {
        row["project"]: row
        for row in Task.objects.filter(project__in=ids)
        .order_by()
        .values("project")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Task.Status.DONE)),
            overdue=Count("pk", filter=~Q(status=Task.Status.DONE) & Q(due_date__lt=today)),
            blocked=Count("pk", filter=Q(status=Task.Status.BLOCKED)),
        )
    }
    criteria = {
        row["project"]: row
        for row in AcceptanceCriterion.objects.current()
        .filter(project__in=ids)
        .order_by()
        .values("project")
        .annotate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(pk__in=SignOff.objects.active().values("criterion_id"))),
        )
    }
    withdrawn = dict(
        AcceptanceCriterion.objects.withdrawn()
        .filter(project__in=ids)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values_list("project", "n")
    )
    results = gates.assess_all_many(projects, today=today)
    no_tasks = {"total": 0, "done": 0, "overdue": 0, "blocked": 0}
    no_criteria = {"total": 0, "signed": 0}
    summaries = []
    for project in projects:
        counted = tasks.get(project.pk, no_tasks)
        signed = criteria.get(project.pk, no_criteria)
        gate_results = results[project.pk]
        summaries.append(
            ProjectSummary(
                project=project,
                computed_on=today,
                tasks_total=counted["total"],
                tasks_done=counted["done"],
                tasks_overdue=counted["overdue"],
                tasks_blocked=counted["blocked"],
                criteria_total=signed["total"],
                criteria_signed=signed["signed"],
                criteria_withdrawn=withdrawn.get(project.pk, 0),
                ready=gates.verdict(gate_results) == gates.READY,
                readiness_score=gates.score(gate_results),
                gates=[r.as_dict() for r in gate_results],
            )
        )
    return summaries


def current(project: Project, *, today: dt.date) -> ProjectSummary:
    """The stored summary when it is today's, else one computed now (not saved).

    Free of queries when the summary was `select_related` and is current.
    """
    try:
        stored = project.summary
    except ProjectSummary.DoesNotExist:
        stored = None
    if stored is not None and stored.computed_on == today:
        return stored
    return compute(project, today=today)


def gate_results(stored: ProjectSummary) -> list[GateResult]:
    return [GateResult.from_dict(g) for g in stored.gates]


def refresh(project_id: int, *, today: dt.date | None = None) -> ProjectSummary:
    """Recompute and store the summary of one transition.

    Call it inside the transaction that changed the transition, after the project
    row was locked (`guard.project_write` does), so the row matches the data the
    transaction commits.
    """
    project = Project.objects.get(pk=project_id)
    summary = compute(project, today=today or timezone.localdate())
    summary.save()
    return summary


def refresh_stale(*, today: dt.date, everything: bool = False) -> int:
    """Recompute every summary computed before `today` (or missing); returns how many.

    `everything` recomputes today's rows too (after a write made around the
    services, in the admin or a shell).

    Each transition is refreshed in its own short transaction under its project
    lock, so the job never holds many locks nor one long transaction.
    A row a concurrent write refreshes first is simply refreshed again.
    """
    projects = Project.objects.all()
    if not everything:
        projects = projects.filter(Q(summary__isnull=True) | Q(summary__computed_on__lt=today))
    stale = list(projects.order_by("pk").values_list("pk", flat=True))
    for project_id in stale:
        with transaction.atomic():
            # The same lock project_write takes: never interleave with a writer.
            if Project.objects.select_for_update().filter(pk=project_id).exists():
                refresh(project_id, today=today)
    return len(stale)
