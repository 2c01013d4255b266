"""Writes to a transition's runbooks; each keeps the data valid or changes nothing.

Every write goes through `guard.project_write` (project row locked first, closed
transitions refused, the summary and so the "Runbooks" gate recomputed). A refused
write raises `ActionRefused` with a sentence a person can act on. Walkthroughs are
evidence: recorded once, never edited or deleted; a scenario that was rehearsed
cannot be deleted either (its walkthroughs point at it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Max

from apps.projects.guard import ActionRefused, attribute, project_write, refuse_stale_edit
from apps.projects.models import Membership, Project, Role, Task
from apps.runbooks.models import Outcome, Runbook, Scenario, Walkthrough, WalkthroughKind

if TYPE_CHECKING:
    from apps.accounts.models import User

RUNBOOK_FIELDS = ("title", "component", "owner", "review_by", "status", "summary")
SCENARIO_FIELDS = (
    "title",
    "component",
    "symptoms",
    "normal",
    "problem",
    "first_checks",
    "diagnosis",
    "resolution",
    "rollback",
    "alert_names",
)
# Follow-up tasks from a walkthrough are due this many days after it.
FOLLOW_UP_DAYS = 14
UP = "up"
DOWN = "down"


def _members(project: Project, people: Sequence[User]) -> None:
    ids = {p.pk for p in people}
    known = set(
        Membership.objects.filter(project=project, user__in=ids).values_list("user", flat=True)
    )
    if ids - known:
        raise ActionRefused(
            "Only members of this transition can be named: add them on the Members page first."
        )


def _same_project(project: Project, *rows: object) -> None:
    for row in rows:
        if row is not None and getattr(row, "project_id", project.pk) != project.pk:
            raise ActionRefused("That belongs to another transition: reload the page.")


def runbook_save(*, runbook: Runbook, by: User, seen_version: dt.datetime | None = None) -> Runbook:
    with project_write(runbook.project_id, by=by) as project:
        _same_project(project, runbook.component)
        _members(project, [runbook.owner])
        if runbook.pk:
            current = Runbook.objects.select_for_update().get(pk=runbook.pk)
            yours = {name: getattr(runbook, name) for name in RUNBOOK_FIELDS}
            refuse_stale_edit(current, seen=seen_version, fields=RUNBOOK_FIELDS, yours=yours)
        attribute(runbook, by)
        runbook.save()
    return runbook


def runbook_delete(*, runbook: Runbook, by: User) -> None:
    """Delete a runbook and its scenarios, unless one was rehearsed (evidence)."""
    with project_write(runbook.project_id, by=by):
        if Walkthrough.objects.filter(scenario__runbook=runbook).exists():
            raise ActionRefused(
                f"“{runbook.title}” has rehearsed scenarios: their walkthroughs are evidence. "
                "Set it back to draft instead."
            )
        for scenario in Scenario.objects.filter(runbook=runbook):
            attribute(scenario, by)
            scenario.delete()
        attribute(runbook, by)
        runbook.delete()


def scenario_save(
    *, scenario: Scenario, by: User, seen_version: dt.datetime | None = None
) -> Scenario:
    """Add a scenario at the end of its runbook, or save an edit."""
    with project_write(scenario.project_id, by=by) as project:
        _same_project(project, scenario.runbook, scenario.component)
        if scenario.pk:
            current = Scenario.objects.select_for_update().get(pk=scenario.pk)
            yours = {name: getattr(scenario, name) for name in SCENARIO_FIELDS}
            refuse_stale_edit(current, seen=seen_version, fields=SCENARIO_FIELDS, yours=yours)
            scenario.position = current.position
        else:
            last = Scenario.objects.filter(runbook=scenario.runbook_id).aggregate(n=Max("position"))
            scenario.position = (last["n"] or 0) + 1
        attribute(scenario, by)
        scenario.save()
    return scenario


def scenario_delete(*, scenario: Scenario, by: User) -> None:
    with project_write(scenario.project_id, by=by):
        if Walkthrough.objects.filter(scenario=scenario).exists():
            raise ActionRefused(
                f"“{scenario.title}” was walked through: its walkthroughs are evidence and "
                "point at it. Edit it instead."
            )
        attribute(scenario, by)
        scenario.delete()


def scenario_move(*, scenario: Scenario, direction: str, by: User) -> None:
    """Swap a scenario with its neighbour in the runbook; at an end, nothing changes."""
    if direction not in (UP, DOWN):
        raise ActionRefused("Move a scenario up or down.")
    with project_write(scenario.project_id, by=by):
        ordered = list(
            Scenario.objects.select_for_update()
            .filter(runbook=scenario.runbook_id)
            .order_by("position", "pk")
        )
        index = next((i for i, s in enumerate(ordered) if s.pk == scenario.pk), None)
        if index is None:
            raise ActionRefused("That scenario no longer exists: reload the page.")
        other = index - 1 if direction == UP else index + 1
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered, start=1):
            if row.position != position:
                row.position = position
                attribute(row, by)
                row.save(update_fields=["position", "updated_at"])


def snapshot(scenario: Scenario) -> dict[str, str]:
    """What a walkthrough rehearsed: the scenario's words at that moment."""
    return {
        name: str(getattr(scenario, name) or "") for name in SCENARIO_FIELDS if name != "component"
    }


def walkthrough_record(
    *,
    scenario: Scenario,
    held_on: dt.date,
    kind: str,
    participants: Sequence[User],
    outcome: str,
    gaps_found: str,
    follow_ups: Sequence[str],
    by: User,
    role: str | None,
    now: dt.datetime,
) -> Walkthrough:
    """Record a rehearsal of `scenario` by operations (`by` an operations member, or the
    lead), with a snapshot of what was rehearsed. Each line of `follow_ups` becomes a
    task on the transition, owned by the runbook's owner, due in FOLLOW_UP_DAYS."""
    if role not in (Role.OPS, Role.LEAD):
        raise ActionRefused("Walkthroughs are recorded by operations (or the lead).")
    if held_on > now.date():
        raise ActionRefused("A walkthrough is recorded after it was held: the date is ahead.")
    if not participants:
        raise ActionRefused("Name who took part.")
    if kind not in WalkthroughKind.values or outcome not in Outcome.values:
        raise ActionRefused("Choose one of the listed kinds and outcomes.")
    with project_write(scenario.project_id, by=by) as project:
        current = Scenario.objects.select_related("runbook").get(pk=scenario.pk)
        _members(project, participants)
        walkthrough = Walkthrough(
            project=project,
            scenario=current,
            held_on=held_on,
            kind=kind,
            outcome=outcome,
            gaps_found=gaps_found,
            recorded_by=by,
            recorded_at=now,
            scenario_snapshot=snapshot(current),
        )
        attribute(walkthrough, by)
        walkthrough.save()
        walkthrough.participants.set(participants)
        for title in (t.strip() for t in follow_ups if t.strip()):
            task = Task(
                project=project,
                title=title[:200],
                description=f"Follow-up of the walkthrough of “{current.title}” on {held_on}.",
                area=Task.Area.RUNBOOK,
                owner=current.runbook.owner,
                due_date=held_on + dt.timedelta(days=FOLLOW_UP_DAYS),
            )
            attribute(task, by)
            task.save()
    return walkthrough
