"""The "Runbooks" go-live gate: would the runbook survive its first week in the field?

`evaluate(facts, today=..., fresh_days=...)` is a pure rule over plain facts; the
findings, in order:
- no published runbook (blocking);
- a published runbook past its review-by date: stale (blocking);
- a scenario of a published runbook that is incomplete: no symptoms, no "what
  normal looks like", no "what a problem looks like", no resolution steps, or no
  contact the support model resolves (its component has no owner and there is no
  escalation path) (blocking);
- a critical component no published scenario covers (blocking);
- a scenario of a critical component that operations has not walked through within
  `fresh_days` with an outcome other than `failed` (blocking);
- a draft runbook (advisory: it does not count until published).

`facts_for_many(project_ids)` reads any number of transitions in a fixed number of
queries, so `assess` (one transition, on every write) and `assess_many` (seed_scale)
share it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from apps.core.readiness import Finding, GateResult, percent
from apps.core.text import and_join
from apps.projects.models import Project
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario
from apps.support.models import Component, Criticality, EscalationLevel, Ownership, Path

KEY = "runbooks"
TITLE = "Runbooks"
CRITICAL = "critical"


@dataclass(frozen=True)
class RunbookFact:
    id: int
    title: str
    published: bool
    review_by: dt.date


@dataclass(frozen=True)
class ScenarioFact:
    id: int
    runbook_id: int
    title: str
    component_id: int | None
    missing: tuple[str, ...] = ()  # the parts not written ("symptoms", "normal"...)
    contact: bool = True  # the support model resolves whom to call
    # The last walkthrough by operations that did not fail (None: never).
    walked_on: dt.date | None = None


@dataclass(frozen=True)
class RunbookFacts:
    runbooks: Sequence[RunbookFact] = ()
    scenarios: Sequence[ScenarioFact] = ()
    critical_components: dict[int, str] = field(default_factory=dict)  # id -> name


# The parts a scenario needs, as the checks name them.
PARTS = (
    ("symptoms", "the symptoms"),
    ("normal", "what normal looks like"),
    ("problem", "what a problem looks like"),
    ("resolution", "the resolution steps"),
)


def evaluate(
    facts: RunbookFacts, *, today: dt.date, fresh_days: int, urls: Urls | None = None
) -> GateResult:
    """The gate's result; `urls` (None in pure tests) says where each finding is fixed."""
    urls = urls or Urls(0)
    findings: list[Finding] = []
    published = {r.id: r for r in facts.runbooks if r.published}
    if not published:
        findings.append(
            Finding(
                "No runbook is published: operations has nothing to follow when it breaks.",
                urls.runbooks(),
            )
        )
    for runbook in published.values():
        if runbook.review_by < today:
            findings.append(
                Finding(
                    f"“{runbook.title}” was due for review on {runbook.review_by:%-d %b %Y}: "
                    "it may no longer be true.",
                    urls.runbook(runbook.id),
                )
            )
    live = [s for s in facts.scenarios if s.runbook_id in published]
    for scenario in live:
        gaps = [label for part, label in PARTS if part in scenario.missing]
        if not scenario.contact:
            gaps.append("a contact (its component has no owner and there is no escalation path)")
        if gaps:
            findings.append(
                Finding(
                    f"Scenario “{scenario.title}” lacks {and_join(gaps)}.",
                    urls.scenario(scenario.runbook_id, scenario.id),
                )
            )
    covered = {s.component_id for s in live}
    for component_id, name in facts.critical_components.items():
        if component_id not in covered:
            findings.append(
                Finding(
                    f"Critical component {name} has no scenario in a published runbook.",
                    urls.runbooks(),
                )
            )
    since = today - dt.timedelta(days=fresh_days)
    for scenario in live:
        if scenario.component_id not in facts.critical_components:
            continue
        if scenario.walked_on is None or scenario.walked_on < since:
            when = (
                "has never been walked through by operations"
                if scenario.walked_on is None
                else f"was last walked through on {scenario.walked_on:%-d %b %Y}"
            )
            findings.append(
                Finding(
                    f"Scenario “{scenario.title}” of a critical component {when} "
                    f"(needed within {fresh_days} days, with an outcome other than failed).",
                    urls.scenario(scenario.runbook_id, scenario.id),
                )
            )
    for runbook in facts.runbooks:
        if not runbook.published:
            findings.append(
                Finding(
                    f"“{runbook.title}” is a draft: it counts once published.",
                    urls.runbook(runbook.id),
                    blocking=False,
                )
            )
    checks = (
        1  # a published runbook
        + len(published)  # each fresh
        + len(live)  # each scenario complete
        + len(facts.critical_components)  # each covered
        + sum(1 for s in live if s.component_id in facts.critical_components)  # each walked
    )
    failed = sum(1 for f in findings if f.blocking)
    return GateResult(
        key=KEY,
        title=TITLE,
        passed=not any(f.blocking for f in findings),
        score=0 if not published else percent(max(checks - failed, 0), checks),
        findings=tuple(findings),
    )


class Urls:
    """Where each finding is fixed; reversed once per transition."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id

    def runbooks(self) -> str:
        if not self.project_id:
            return ""
        return reverse("runbooks:list", args=[self.project_id])

    def runbook(self, runbook_id: int) -> str:
        if not self.project_id:
            return ""
        return reverse("runbooks:detail", args=[self.project_id, runbook_id])

    def scenario(self, runbook_id: int, scenario_id: int) -> str:
        return f"{self.runbook(runbook_id)}#scenario-{scenario_id}" if self.project_id else ""


def facts_for_many(project_ids: Iterable[int]) -> dict[int, RunbookFacts]:
    """The facts of each transition in three queries whatever their number."""
    ids = list(project_ids)
    runbooks: dict[int, list[RunbookFact]] = defaultdict(list)
    for pid, rid, title, status, review_by in Runbook.objects.filter(project__in=ids).values_list(
        "project", "pk", "title", "status", "review_by"
    ):
        runbooks[pid].append(RunbookFact(rid, title, status == RunbookStatus.PUBLISHED, review_by))
    owned = Ownership.objects.filter(component=OuterRef("component"))
    path = EscalationLevel.objects.filter(project=OuterRef("project"), path=Path.STANDARD)
    scenarios: dict[int, list[ScenarioFact]] = defaultdict(list)
    rows = (
        Scenario.objects.filter(project__in=ids)
        .annotate(
            owned=Exists(owned),
            has_path=Exists(path),
            walked_on=Max(
                "walkthroughs__held_on",
                filter=~Q(walkthroughs__outcome=Outcome.FAILED),
            ),
        )
        .values(
            "project",
            "pk",
            "runbook",
            "title",
            "component",
            "symptoms",
            "normal",
            "problem",
            "resolution",
            "owned",
            "has_path",
            "walked_on",
        )
    )
    for row in rows:
        missing = tuple(part for part, _ in PARTS if not row[part].strip())
        contact = bool(row["owned"] and row["component"]) or bool(row["has_path"])
        scenarios[row["project"]].append(
            ScenarioFact(
                id=row["pk"],
                runbook_id=row["runbook"],
                title=row["title"],
                component_id=row["component"],
                missing=missing,
                contact=contact,
                walked_on=row["walked_on"],
            )
        )
    critical: dict[int, dict[int, str]] = defaultdict(dict)
    for pid, cid, name in Component.objects.filter(
        project__in=ids, criticality=Criticality.CRITICAL
    ).values_list("project", "pk", "name"):
        critical[pid][cid] = name
    return {
        pid: RunbookFacts(
            runbooks=runbooks[pid], scenarios=scenarios[pid], critical_components=critical[pid]
        )
        for pid in ids
    }


def fresh_days() -> int:
    return int(settings.RUNBOOKS_WALKTHROUGH_DAYS)


def assess(project: Project, *, today: dt.date) -> GateResult:
    facts = facts_for_many([project.pk])[project.pk]
    return evaluate(facts, today=today, fresh_days=fresh_days(), urls=Urls(project.pk))


def assess_many(projects: Sequence[Project], *, today: dt.date) -> dict[int, GateResult]:
    facts = facts_for_many(p.pk for p in projects)
    days = fresh_days()
    return {
        pid: evaluate(f, today=today, fresh_days=days, urls=Urls(pid)) for pid, f in facts.items()
    }
