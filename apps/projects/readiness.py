"""The transition's own go-live gate, "Acceptance and tasks".

Pure rule (`evaluate`) over plain facts, plus `assess(project, today=...)` that
gathers the facts with two aggregate queries: the same shape every gate app's
`readiness.py` has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.urls import reverse

from apps.core.readiness import Finding, GateResult, percent
from apps.projects.models import AcceptanceCriterion, Project, SignOff, Task

KEY = "acceptance"
TITLE = "Acceptance and tasks"


@dataclass(frozen=True)
class AcceptanceFacts:
    criteria_total: int
    criteria_signed: int
    tasks_before_go_live: int  # due on or before go-live (all tasks when it is not set)
    tasks_before_go_live_open: int


def evaluate(facts: AcceptanceFacts, *, url: str = "") -> GateResult:
    """Passed when there are criteria, all are signed, and every task due by go-live is done."""
    findings: list[Finding] = []
    if facts.criteria_total == 0:
        findings.append(
            Finding(
                "No acceptance criteria are defined: operations has nothing to sign off.",
                f"{url}#criteria",
            )
        )
    elif facts.criteria_signed < facts.criteria_total:
        unsigned = facts.criteria_total - facts.criteria_signed
        findings.append(
            Finding(
                f"{unsigned} of {facts.criteria_total} acceptance criteria await "
                "operations' sign-off.",
                f"{url}#criteria",
            )
        )
    if facts.tasks_before_go_live_open:
        findings.append(
            Finding(
                f"{facts.tasks_before_go_live_open} of {facts.tasks_before_go_live} tasks due "
                "by go-live are not done.",
                f"{url}#tasks",
            )
        )
    done = facts.criteria_signed + facts.tasks_before_go_live - facts.tasks_before_go_live_open
    total = facts.criteria_total + facts.tasks_before_go_live
    score = 0 if facts.criteria_total == 0 else percent(done, total)
    return GateResult(
        key=KEY,
        title=TITLE,
        passed=not any(f.blocking for f in findings),
        score=score,
        findings=tuple(findings),
    )


def facts_for(project: Project) -> AcceptanceFacts:
    active = SignOff.objects.active()
    # Withdrawn criteria no longer apply: they neither block nor count.
    criteria = (
        AcceptanceCriterion.objects.current()
        .filter(project=project)
        .aggregate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(pk__in=active.values("criterion_id"))),
        )
    )
    tasks = Task.objects.filter(project=project)
    if project.go_live_date is not None:
        tasks = tasks.filter(due_date__lte=project.go_live_date)
    counted = tasks.aggregate(total=Count("pk"), open=Count("pk", filter=~Q(status="done")))
    return AcceptanceFacts(
        criteria_total=criteria["total"],
        criteria_signed=criteria["signed"],
        tasks_before_go_live=counted["total"],
        tasks_before_go_live_open=counted["open"],
    )


def facts_for_many(projects: Sequence[Project]) -> dict[int, AcceptanceFacts]:
    """`facts_for` of each project with two grouped queries, keyed by project id."""
    ids = [p.pk for p in projects]
    active = SignOff.objects.active()
    criteria = {
        row["project"]: row
        for row in AcceptanceCriterion.objects.current()
        .filter(project__in=ids)
        .order_by()
        .values("project")
        .annotate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(pk__in=active.values("criterion_id"))),
        )
    }
    before_go_live = Q(project__go_live_date__isnull=True) | Q(
        due_date__lte=F("project__go_live_date")
    )
    tasks = {
        row["project"]: row
        for row in Task.objects.filter(project__in=ids)
        .order_by()
        .values("project")
        .annotate(
            total=Count("pk", filter=before_go_live),
            open=Count("pk", filter=before_go_live & ~Q(status="done")),
        )
    }
    empty = {"total": 0, "signed": 0, "open": 0}
    return {
        pk: AcceptanceFacts(
            criteria_total=criteria.get(pk, empty)["total"],
            criteria_signed=criteria.get(pk, empty)["signed"],
            tasks_before_go_live=tasks.get(pk, empty)["total"],
            tasks_before_go_live_open=tasks.get(pk, empty)["open"],
        )
        for pk in ids
    }


def assess(project: Project, *, today: dt.date) -> GateResult:
    return evaluate(facts_for(project), url=reverse("projects:detail", args=[project.pk]))


def assess_many(projects: Sequence[Project], *, today: dt.date) -> dict[int, GateResult]:
    """`assess` of each project, with a fixed number of queries (for bulk work)."""
    facts = facts_for_many(projects)
    return {
        pk: evaluate(project_facts, url=reverse("projects:detail", args=[pk]))
        for pk, project_facts in facts.items()
    }
