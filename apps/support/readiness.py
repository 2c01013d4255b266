"""The "Support model" go-live gate: the gaps (`gaps.py`) as the gate's findings.

`facts_for_many(project_ids)` reads the support model of any number of
transitions in seven queries (one per table), so `assess` (one transition, on
every write) and `assess_many` (seed_scale, thousands) share it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Exists, OuterRef
from django.urls import reverse

from apps.core.readiness import Finding, GateResult
from apps.projects.models import Membership, Project
from apps.support import gaps
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)

KEY = "support"
TITLE = "Support model"


def facts_for_many(project_ids: Iterable[int]) -> dict[int, gaps.SupportFacts]:
    ids = list(project_ids)
    components: dict[int, list[gaps.ComponentFact]] = defaultdict(list)
    for pid, cid, name, criticality in Component.objects.filter(project__in=ids).values_list(
        "project", "pk", "name", "criticality"
    ):
        components[pid].append(gaps.ComponentFact(cid, name, criticality))
    tiers: dict[int, list[gaps.TierFact]] = defaultdict(list)
    for pid, tid, name in Tier.objects.filter(project__in=ids).values_list("project", "pk", "name"):
        tiers[pid].append(gaps.TierFact(tid, name))
    cells: dict[int, list[gaps.CellFact]] = defaultdict(list)
    for pid, cid, tid, team, hours, p1 in (
        Ownership.objects.filter(project__in=ids)
        .order_by()
        .values_list("project", "component", "tier", "team", "hours", "p1_minutes")
    ):
        cells[pid].append(gaps.CellFact(cid, tid, team, hours, p1))
    members: dict[int, set[int]] = defaultdict(set)
    people: dict[int, dict[int, str]] = defaultdict(dict)
    # Only people who are still active members of the transition count (someone removed
    # from it, or whose account is off, can no longer be called).
    member_here = Membership.objects.filter(
        project=OuterRef("supportteam__project"), user=OuterRef("user")
    )
    for pid, team_id, user_id, full_name, email in (
        SupportTeam.members.through.objects.filter(
            Exists(member_here), supportteam__project__in=ids, user__is_active=True
        )
        .order_by()
        .values_list(
            "supportteam__project", "supportteam", "user", "user__full_name", "user__email"
        )
    ):
        members[team_id].add(user_id)
        people[pid][user_id] = full_name or email
    teams: dict[int, list[gaps.TeamFact]] = defaultdict(list)
    for pid, team_id, name, email, phone, pager, in_scope in SupportTeam.objects.filter(
        project__in=ids
    ).values_list("project", "pk", "name", "email", "phone", "pager", "in_scope"):
        teams[pid].append(
            gaps.TeamFact(
                team_id,
                name,
                frozenset(members[team_id]),
                reachable_means=bool(email or phone or pager),
                scope_written=bool(in_scope.strip()),
            )
        )
    levels: dict[int, list[gaps.LevelFact]] = defaultdict(list)
    person_here = Membership.objects.filter(project=OuterRef("project"), user=OuterRef("person"))
    levels_rows = EscalationLevel.objects.filter(project__in=ids).annotate(
        person_current=Exists(person_here.filter(user__is_active=True))
    )
    for row in levels_rows.values(
        "project",
        "pk",
        "path",
        "position",
        "team",
        "person",
        "person__full_name",
        "person__email",
        "phone",
        "email",
        "pager",
        "after_minutes",
        "on_priority",
        "person_current",
    ):
        name = row["person__full_name"] or row["person__email"] or ""
        if row["person"] is not None and row["person_current"]:
            people[row["project"]][row["person"]] = name
        levels[row["project"]].append(
            gaps.LevelFact(
                id=row["pk"],
                path=row["path"],
                position=row["position"],
                team_id=row["team"],
                person_id=row["person"],
                person_name=name,
                person_current=row["person"] is None or row["person_current"],
                reachable_means=bool(row["phone"] or row["email"] or row["pager"]),
                after_minutes=row["after_minutes"],
                on_priority=row["on_priority"],
            )
        )
    catch_all = dict(
        SupportSettings.objects.filter(project__in=ids).values_list("project", "catch_all")
    )
    return {
        pid: gaps.SupportFacts(
            components=components[pid],
            tiers=tiers[pid],
            cells=cells[pid],
            teams=teams[pid],
            levels=levels[pid],
            catch_all_team_id=catch_all.get(pid),
            people=people[pid],
        )
        for pid in ids
    }


def facts_for(project: Project) -> gaps.SupportFacts:
    return facts_for_many([project.pk])[project.pk]


def evaluate(facts: gaps.SupportFacts, *, project_id: int) -> GateResult:
    """The gate's result from the facts: passed when no gap blocks."""
    found = gaps.find(facts)
    findings = tuple(Finding(g.sentence, _url(g, project_id), g.blocking) for g in found)
    return GateResult(
        key=KEY,
        title=TITLE,
        passed=not any(g.blocking for g in found),
        score=gaps.score(facts, found),
        findings=findings,
    )


def _url(gap: gaps.Gap, project_id: int) -> str:
    url = reverse(gap.page, args=[project_id])
    return f"{url}#{gap.anchor}" if gap.anchor else url


def assess(project: Project, *, today: dt.date) -> GateResult:
    return evaluate(facts_for(project), project_id=project.pk)


def assess_many(projects: Sequence[Project], *, today: dt.date) -> dict[int, GateResult]:
    """`assess` of each project, with a fixed number of queries (for bulk work)."""
    facts = facts_for_many(p.pk for p in projects)
    return {pid: evaluate(f, project_id=pid) for pid, f in facts.items()}
