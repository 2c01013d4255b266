"""Seed the demo transitions (`demo_data.PROJECTS`) for the demo people.

`seed(today=..., password=...)` is idempotent: transitions are found by name, tasks
by title and criteria by statement within their transition, and only what is
missing is created. A record the seed finds is left as it is (a demo user may have
moved a task or signed a criterion since); states (task status, sign-offs, phase)
are applied only to what this run creates. Everything goes through `services`, so
the activity history reads like real use and the demo never holds a state the
rules forbid: a transition reaches its phase through allowed moves only, after
its tasks and sign-offs, and a move the rules refuse stops the seed with the
reason (the plan is wrong, not the rule). Dates are relative to `today`.

It runs after the accounts seeder (`apps/accounts/demo.py`), which creates the
people and teams; both are listed in `seed_demo`'s `SEEDERS`. The demo lead is
put in the "Delivery leads" group, so that they may create transitions.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.accounts.models import Team, User
from apps.projects import services
from apps.projects.demo_data import PROJECTS, ROLES, CriterionPlan, ProjectPlan, TaskPlan
from apps.projects.guard import ActionRefused
from apps.projects.models import AcceptanceCriterion, Membership, Phase, Project, Role, Task

# The order in which a transition normally moves forward.
FORWARD: list[str] = [Phase.PLANNING, Phase.READINESS, Phase.HYPERCARE, Phase.BAU]
# Without a go-live date, the demo dates a transition's items from today + 6 weeks
# (as the blueprint does).
UNDATED_GO_LIVE = dt.timedelta(days=42)


def seed(*, today: dt.date, password: str) -> list[str]:
    """Create whatever of the demo transitions is missing; a second run changes nothing.

    `password` is the accounts seeder's (every seeder takes the same arguments).
    Returns one line per transition for `seed_demo` to print.
    """
    people = accounts_demo.people()
    ops_team = accounts_demo.teams()[accounts_demo.OPS_TEAM]
    # The demo lead starts transitions, as every delivery lead does.
    services.delivery_lead_grant(user=people["lead"])
    lines = []
    for plan in PROJECTS:
        project, created = ensure_project(plan, people, ops_team, today=today)
        state = "created" if created else "already there"
        go_live = f"go-live {project.go_live_date:%Y-%m-%d}" if project.go_live_date else ""
        lines.append(f"  {project.name:<64} {project.get_phase_display():<10} {go_live}  ({state})")
    return lines


def ensure_project(
    plan: ProjectPlan, people: dict[str, User], ops_team: Team, *, today: dt.date
) -> tuple[Project, bool]:
    """The transition named in `plan`, with its missing members, tasks and criteria.

    States (task status, sign-offs, phase) are applied only to what this call creates.
    """
    lead = people["lead"]
    project = Project.objects.filter(name=plan.name).first()
    created = project is None
    if project is None:
        go_live = None
        if plan.go_live_in_days is not None:
            go_live = today + dt.timedelta(days=plan.go_live_in_days)
        project = services.project_create(
            name=plan.name,
            lead=lead,
            created_by=lead,
            today=today,
            blueprint=plan.blueprint,
            description=plan.description,
            services="\n".join(plan.services),
            ops_lead=people["opslead"],
            ops_team=ops_team,
            go_live_date=go_live,
            hypercare_days=plan.hypercare_days,
        )
    for key, role in ROLES.items():
        if not Membership.objects.filter(project=project, user=people[key]).exists():
            services.membership_set(project=project, user=people[key], role=role, by=lead)
    for task_plan in plan.tasks:
        ensure_task(project, task_plan, people, today=today, project_created=created)
    for criterion_plan in plan.criteria:
        ensure_criterion(project, criterion_plan, people, today=today, project_created=created)
    if created:
        advance(project, to=plan.phase, by=lead)
    return project, created


def ensure_task(
    project: Project,
    plan: TaskPlan,
    people: dict[str, User],
    *,
    today: dt.date,
    project_created: bool,
) -> None:
    lead, owner = people["lead"], people[plan.owner]
    task = Task.objects.filter(project=project, title=plan.title).first()
    fresh = project_created
    if task is None:
        if plan.days_from_go_live is None:
            if project_created:
                raise LookupError(f"The blueprint no longer creates the task {plan.title!r}.")
            return  # A blueprint task the team removed stays removed.
        task = services.task_save(
            task=Task(
                project=project,
                title=plan.title,
                area=plan.area,
                due_date=_go_live(project, today) + dt.timedelta(days=plan.days_from_go_live),
                owner=owner,
            ),
            by=lead,
            now=_moment(today, today, hour=9),
        )
        fresh = True
    if not fresh:
        return
    if task.owner_id != owner.pk or (plan.note and task.description != plan.note):
        task.owner = owner
        task.description = plan.note or task.description
        services.task_save(task=task, by=lead, now=_moment(today, today, hour=9))
    if plan.status != task.status:
        done_on = task.due_date - dt.timedelta(days=1)
        services.task_set_status(
            task=task, status=plan.status, by=owner, now=_moment(done_on, today, hour=16)
        )


def ensure_criterion(
    project: Project,
    plan: CriterionPlan,
    people: dict[str, User],
    *,
    today: dt.date,
    project_created: bool,
) -> None:
    lead = people["lead"]
    criterion = AcceptanceCriterion.objects.filter(
        project=project, statement=plan.statement
    ).first()
    fresh = project_created
    if criterion is None:
        if plan.days_from_go_live is None:
            if project_created:
                raise LookupError(
                    f"The blueprint no longer creates the criterion {plan.statement!r}."
                )
            return
        criterion = AcceptanceCriterion(
            project=project,
            statement=plan.statement,
            verification=plan.verification,
            due_date=_go_live(project, today) + dt.timedelta(days=plan.days_from_go_live),
            expected_signer=project.ops_lead,
            expected_team=project.ops_team,
        )
        services.criterion_save(criterion=criterion, by=lead, now=_moment(today, today, hour=9))
        fresh = True
    if not fresh or not plan.signed_by:
        return
    signer = people[plan.signed_by]
    signed_on = _go_live(project, today) + dt.timedelta(days=plan.signed_day)
    role = Membership.objects.get(project=project, user=signer).role
    signoff = services.criterion_sign_off(
        criterion=criterion,
        by=signer,
        role=role,
        comment=plan.comment,
        as_ops=role == Role.LEAD,
        now=_moment(signed_on, today, hour=11),
    )
    if plan.revoked_by:
        services.signoff_revoke(
            signoff=signoff,
            by=people[plan.revoked_by],
            reason=plan.revoke_reason,
            now=_moment(signed_on + dt.timedelta(days=2), today, hour=15),
        )


def advance(project: Project, *, to: str, by: User) -> None:
    """Move a new demo transition forward to `to`, one allowed move at a time.

    Each move goes through `services.project_change_phase`, so the phase rules
    decide; a refusal means the plan is wrong and stops the seed with the reason.
    """
    start, end = FORWARD.index(project.phase), FORWARD.index(to)
    for step in FORWARD[start + 1 : end + 1]:
        try:
            services.project_change_phase(project=project, to=step, by=by)
        except ActionRefused as refused:
            raise ActionRefused(
                [
                    f"The demo plan “{project.name}” cannot reach {Phase(step).label}:",
                    *refused.messages,
                ]
            ) from refused


def _go_live(project: Project, today: dt.date) -> dt.date:
    return project.go_live_date or today + UNDATED_GO_LIVE


def _moment(day: dt.date, today: dt.date, *, hour: int) -> dt.datetime:
    """`hour` o'clock on `day`, but never later than yesterday: demo events are past."""
    day = min(day, today - dt.timedelta(days=1))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
