"""A realistic portfolio at scale, for `seed_scale` and `make bench`.

`generate(transitions=N, ...)` adds N transitions with bulk inserts (a few dozen
INSERT statements whatever N is, plus the summaries), so 1,000 transitions take
seconds. It is **additive**: each run adds N more transitions, numbered after
those an earlier run made, and reuses the same pool of people
(`*@scale.transition.example`), creating only the ones missing.

Every row respects the rules the services enforce, so the data looks like real use:
- each transition has members in every role: a lead (the named lead), two
  contributors, two operations members (the first is the operations lead), a
  viewer, and the portfolio office (`pmo@...`) as a viewer of every transition;
- phases are spread over planning, readiness, hypercare, BAU and cancelled, and
  each one is reachable by the phase rules (`phases.move_blockers`, checked for
  every step of the way): hypercare and BAU have a go-live date in the past, a BAU
  transition has every criterion signed off;
- tasks are dated around go-live; done tasks have `completed_at`, some open tasks
  are overdue, a few are blocked;
- criteria are signed off by an operations member of the transition, with the
  statement snapshotted; some unsigned criteria carry a revoked sign-off;
- the audit history has a "created" record for every row (as the services write);
- every other app adds its rows to the new transitions through `GENERATORS`;
- each transition's summary row is `summary.compute` itself, so it equals what
  the services would store.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import Team, User
from apps.monitoring import scale as monitoring_scale
from apps.projects import phases, summary
from apps.projects.blueprints import STANDARD_BAU
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    ProjectSummary,
    Role,
    SignOff,
    Task,
)
from apps.runbooks import scale as runbooks_scale
from apps.support import scale as support_scale

DOMAIN = "scale.transition.example"
# Printed by seed_scale, like the demo's: these are sample logins, not secrets.
DEFAULT_PASSWORD = "transition-scale"  # noqa: S105
CHANGE_REASON = "seed_scale"

# The pool of people, per role; each transition takes its members from it in turn,
# so at 1,000 transitions a lead leads 40 of them and an ops engineer is in 50.
POOL: dict[str, int] = {Role.LEAD: 25, Role.CONTRIBUTOR: 50, Role.OPS: 40, Role.VIEWER: 10}
PMO_EMAIL = f"pmo@{DOMAIN}"
OPS_TEAMS = ("Core Operations", "Data Operations", "Network Operations", "Service Desk")

# Out of every 20 transitions: 6 planning, 6 readiness, 3 hypercare, 3 BAU, 2 cancelled.
PHASE_CYCLE = (
    (Phase.PLANNING,) * 6
    + (Phase.READINESS,) * 6
    + (Phase.HYPERCARE,) * 3
    + (Phase.BAU,) * 3
    + (Phase.CANCELLED,) * 2
)
# How each phase is reached from planning (every step checked by the phase rules).
PATHS = {
    Phase.PLANNING: (),
    Phase.READINESS: (Phase.READINESS,),
    Phase.HYPERCARE: (Phase.READINESS, Phase.HYPERCARE),
    Phase.BAU: (Phase.READINESS, Phase.HYPERCARE, Phase.BAU),
    Phase.CANCELLED: (Phase.READINESS, Phase.CANCELLED),
}

SERVICES = (
    "Payments API",
    "Customer portal",
    "Identity provider",
    "Data warehouse",
    "Order pipeline",
    "Search cluster",
    "Billing engine",
    "Mobile backend",
    "Notification hub",
    "Reporting service",
    "Document store",
    "Pricing engine",
)
EXTRA_TASKS = (
    ("Capacity review with operations", Task.Area.MONITORING),
    ("Patch and backup schedule agreed", Task.Area.SUPPORT),
    ("Access for the on-call rota", Task.Area.SUPPORT),
    ("Load test results handed over", Task.Area.KNOWLEDGE),
    ("Disaster recovery rehearsal", Task.Area.RUNBOOK),
    ("Licences and contracts transferred", Task.Area.OTHER),
    ("Log retention agreed", Task.Area.MONITORING),
)
EXTRA_CRITERIA = (
    ("Backups restore within the agreed time.", "A restore test with timings, by ops."),
    ("Capacity headroom is documented.", "The capacity report reviewed by ops."),
    ("Access is granted to the on-call rota.", "Every on-call engineer logged in."),
)

# Every other app's rows, one line per app (like seed_demo's SEEDERS). Each is
# `generate(projects, *, people, today, now, rng) -> models written to`, called with
# the new transitions once their members, tasks, criteria and sign-offs exist and
# before their summaries are computed (so the gates see every app's rows). `people`
# maps each transition's id to its members, (user, role), lead first (`Plan.members`).
# Each adds its rows with a few bulk INSERTs whatever the number of transitions.
GENERATORS: tuple[Callable[..., Sequence[type[Model]]], ...] = (
    support_scale.generate,
    runbooks_scale.generate,  # after support's: its scenarios are about the components
    monitoring_scale.generate,  # after runbooks': its alerts are the scenarios' alerts
)


@dataclass
class ScaleResult:
    """What one run created."""

    transitions: int = 0
    tasks: int = 0
    criteria: int = 0
    signoffs: int = 0
    memberships: int = 0
    users_created: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    first_project_id: int | None = None


@dataclass(frozen=True)
class People:
    by_role: dict[str, list[User]]
    pmo: User
    teams: list[Team]


def generate(
    *,
    transitions: int,
    tasks: int = 20,
    criteria: int = 6,
    today: dt.date,
    now: dt.datetime,
    password: str = DEFAULT_PASSWORD,
    phase: str | None = None,
) -> ScaleResult:
    """Add `transitions` transitions with `tasks` tasks and `criteria` criteria each.

    `phase` puts every new transition in that phase (default: the spread above);
    without criteria no transition can be in BAU, so those become hypercare.
    Runs in one transaction: it adds everything or nothing.
    """
    if transitions < 0 or tasks < 0 or criteria < 0:
        raise ValueError("Counts cannot be negative.")
    if phase is not None and phase not in Phase.values:
        raise ValueError(f"{phase!r} is not a phase.")
    result = ScaleResult()
    with transaction.atomic():
        people, result.users_created = _people(password)
        offset = Project.objects.filter(lead__email__endswith=f"@{DOMAIN}").count()
        plans = [
            _plan(offset + k, tasks, criteria, today, phase, people) for k in range(transitions)
        ]
        if not plans:
            return result
        projects = bulk_create_with_history(
            [p.project for p in plans],
            Project,
            default_change_reason=CHANGE_REASON,
            default_date=now,
        )
        for plan, project in zip(plans, projects, strict=True):
            plan.project = project
        memberships = [
            Membership(project=plan.project, user=user, role=role)
            for plan in plans
            for user, role in plan.members
        ]
        bulk_create_with_history(
            memberships, Membership, default_change_reason=CHANGE_REASON, default_date=now
        )
        task_rows = [_task(plan, j, today, now) for plan in plans for j in range(tasks)]
        bulk_create_with_history(
            task_rows, Task, default_change_reason=CHANGE_REASON, default_date=now
        )
        criterion_rows = [_criterion(plan, j, today) for plan in plans for j in range(criteria)]
        criterion_rows = bulk_create_with_history(
            criterion_rows,
            AcceptanceCriterion,
            default_change_reason=CHANGE_REASON,
            default_date=now,
        )
        signoffs = _signoffs(plans, criterion_rows, criteria, now)
        bulk_create_with_history(
            signoffs, SignOff, default_change_reason=CHANGE_REASON, default_date=now
        )
        for plan in plans:
            _check_phase_rules(plan, criteria)
        written: list[type[Model]] = []
        members = {plan.project.pk: plan.members for plan in plans}
        for app_generate in GENERATORS:
            # Reproducible, like each plan: the same run always gives the same rows.
            rng = random.Random(offset)  # noqa: S311
            written += app_generate(
                [plan.project for plan in plans], people=members, today=today, now=now, rng=rng
            )
        # compute_many gives the rows summary.compute (what the services store) gives.
        ProjectSummary.objects.bulk_create(
            summary.compute_many([plan.project for plan in plans], today=today)
        )
    _analyze(
        Project, Membership, Task, AcceptanceCriterion, SignOff, ProjectSummary, User, *written
    )
    result.transitions = len(plans)
    result.tasks = len(task_rows)
    result.criteria = len(criterion_rows)
    result.signoffs = len(signoffs)
    result.memberships = len(memberships)
    result.phases = Counter(plan.project.phase for plan in plans)
    result.first_project_id = plans[0].project.pk
    return result


def _analyze(*models: type[Model]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL).

    Until autovacuum gets to it, PostgreSQL plans with the statistics of the empty
    tables, and picks plans that read every row (an anti-join over every sign-off
    for each criterion read 1.2 million index entries at 1,000 transitions).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def pool_email(role: str, number: int) -> str:
    return f"{role}-{number:02d}@{DOMAIN}"


def _people(password: str) -> tuple[People, int]:
    """The pool of people and teams, creating the ones missing; (people, users created)."""
    wanted: dict[str, tuple[str, int]] = {
        pool_email(role, n): (role, n) for role, size in POOL.items() for n in range(1, size + 1)
    }
    wanted[PMO_EMAIL] = ("pmo", 0)
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    hashed = make_password(password)  # hashed once: the pool shares one password
    missing = [
        User(email=email, full_name=_full_name(role, n), password=hashed)
        for email, (role, n) in wanted.items()
        if email not in existing
    ]
    User.objects.bulk_create(missing)
    users = {u.email: u for u in User.objects.filter(email__in=wanted)}
    teams = []
    for name in OPS_TEAMS:
        team, _ = Team.objects.get_or_create(
            name=name,
            defaults={"kind": Team.Kind.OPERATIONS, "email": f"{_slug(name)}@{DOMAIN}"},
        )
        teams.append(team)
    ops = [users[pool_email(Role.OPS, n)] for n in range(1, POOL[Role.OPS] + 1)]
    Team.members.through.objects.bulk_create(
        [
            Team.members.through(team_id=teams[i % len(teams)].pk, user_id=user.pk)
            for i, user in enumerate(ops)
        ],
        ignore_conflicts=True,
    )
    by_role = {
        role: [users[pool_email(role, n)] for n in range(1, size + 1)]
        for role, size in POOL.items()
    }
    return People(by_role=by_role, pmo=users[PMO_EMAIL], teams=teams), len(missing)


def _full_name(role: str, number: int) -> str:
    if role == "pmo":
        return "Portfolio Office"
    label = {"lead": "Lead", "contributor": "Engineer", "ops": "Operator", "viewer": "Owner"}
    return f"{label[role]} {number:02d}"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@dataclass
class Plan:
    """One transition to create, and what its rows need to know."""

    index: int
    project: Project
    members: list[tuple[User, str]]
    rng: random.Random
    # Per task and per criterion, decided up front so the rules can be checked.
    signed: set[int] = field(default_factory=set)

    @property
    def lead(self) -> User:
        return self.members[0][0]

    @property
    def ops(self) -> list[User]:
        return [user for user, role in self.members if role == Role.OPS]

    @property
    def owners(self) -> list[User]:
        return [user for user, role in self.members if role != Role.VIEWER]


def _plan(
    index: int, n_tasks: int, n_criteria: int, today: dt.date, phase: str | None, people: People
) -> Plan:
    # Reproducible sample data, not security: the same index always gives the same plan.
    rng = random.Random(index)  # noqa: S311
    chosen = phase or PHASE_CYCLE[index % len(PHASE_CYCLE)]
    if chosen == Phase.BAU and n_criteria == 0:
        chosen = Phase.HYPERCARE  # BAU needs signed criteria (phases.move_blockers)
    hypercare_days = rng.choice((14, 21, 28))
    go_live: dt.date | None
    if chosen == Phase.PLANNING:
        go_live = None if index % 5 == 0 else today + dt.timedelta(days=rng.randint(20, 120))
    elif chosen == Phase.READINESS:
        go_live = today + dt.timedelta(days=rng.randint(-7, 45))  # some slipped
    elif chosen == Phase.HYPERCARE:
        go_live = today - dt.timedelta(days=rng.randint(1, hypercare_days - 1))
    elif chosen == Phase.BAU:
        go_live = today - dt.timedelta(days=rng.randint(hypercare_days + 1, 240))
    else:
        go_live = today + dt.timedelta(days=rng.randint(-60, 90))
    pool = people.by_role
    lead = pool[Role.LEAD][index % len(pool[Role.LEAD])]
    contributors = [
        pool[Role.CONTRIBUTOR][(2 * index + k) % len(pool[Role.CONTRIBUTOR])] for k in (0, 1)
    ]
    ops = [pool[Role.OPS][(2 * index + k) % len(pool[Role.OPS])] for k in (0, 1)]
    viewer = pool[Role.VIEWER][index % len(pool[Role.VIEWER])]
    service = SERVICES[index % len(SERVICES)]
    team = people.teams[index % len(people.teams)]
    project = Project(
        name=f"{service} hand-over #{index + 1:04d}",
        description=f"Hand-over of the {service.lower()} to {team.name}.",
        services=f"{service}\n{service} admin console",
        lead=lead,
        ops_lead=ops[0],
        ops_team=team,
        go_live_date=go_live,
        hypercare_days=hypercare_days,
        phase=chosen,
    )
    members: list[tuple[User, str]] = [
        (lead, Role.LEAD),
        *((c, Role.CONTRIBUTOR) for c in contributors),
        *((o, Role.OPS) for o in ops),
        (viewer, Role.VIEWER),
        (people.pmo, Role.VIEWER),
    ]
    plan = Plan(index=index, project=project, members=members, rng=rng)
    plan.signed = _signed_criteria(chosen, n_criteria, rng)
    return plan


def _signed_criteria(phase: str, n: int, rng: random.Random) -> set[int]:
    """Which criteria (by position) carry an active sign-off."""
    if n == 0:
        return set()
    if phase == Phase.BAU:
        count = n
    elif phase == Phase.HYPERCARE:
        count = max(0, n - rng.randint(0, 2))
    elif phase == Phase.READINESS:
        count = rng.randint(0, n - 1) if n > 1 else 0
    elif phase == Phase.CANCELLED:
        count = rng.randint(0, n)
    else:
        count = rng.randint(0, 1) if n > 2 else 0
    return set(rng.sample(range(n), count))


# Of the tasks due before today, the share that are done, per phase.
DONE_WHEN_PAST_DUE: dict[str, float] = {
    Phase.PLANNING: 0.7,
    Phase.READINESS: 0.8,
    Phase.HYPERCARE: 0.95,
    Phase.BAU: 1.0,
    Phase.CANCELLED: 0.5,
}


def _task(plan: Plan, j: int, today: dt.date, now: dt.datetime) -> Task:
    project = plan.project
    rng = plan.rng
    anchor = project.go_live_date or today + dt.timedelta(days=60)
    n_seeds = len(STANDARD_BAU.tasks)
    if j < n_seeds:
        seed = STANDARD_BAU.tasks[j]
        title, area, offset = seed.title, seed.area, seed.days_from_go_live
    else:
        title, area = EXTRA_TASKS[(j - n_seeds) % len(EXTRA_TASKS)]
        offset = rng.randint(-45, project.hypercare_days)
        if j >= n_seeds + len(EXTRA_TASKS):
            title = f"{title} ({j - n_seeds - len(EXTRA_TASKS) + 2})"
    due = anchor + dt.timedelta(days=offset)
    phase = project.phase
    if phase == Phase.BAU:
        done = True
    elif due < today:
        done = rng.random() < DONE_WHEN_PAST_DUE[phase]
    else:
        done = rng.random() < (0.1 if phase == Phase.PLANNING else 0.3)
    if done:
        status = Task.Status.DONE
        days_ago = max((today - due).days, 0) + rng.randint(0, 5)
        completed_at: dt.datetime | None = now - dt.timedelta(
            days=days_ago, hours=rng.randint(0, 8)
        )
    else:
        status = rng.choices(
            (Task.Status.TODO, Task.Status.IN_PROGRESS, Task.Status.BLOCKED), (6, 3, 1)
        )[0]
        completed_at = None
    return Task(
        project=project,
        title=title,
        area=area,
        owner=plan.owners[(j + plan.index) % len(plan.owners)],
        due_date=due,
        status=status,
        completed_at=completed_at,
    )


def _criterion(plan: Plan, j: int, today: dt.date) -> AcceptanceCriterion:
    project = plan.project
    seeds = STANDARD_BAU.criteria
    if j < len(seeds):
        statement, verification = seeds[j].statement, seeds[j].verification
        offset = seeds[j].days_from_go_live
    else:
        statement, verification = EXTRA_CRITERIA[(j - len(seeds)) % len(EXTRA_CRITERIA)]
        if j >= len(seeds) + len(EXTRA_CRITERIA):
            statement = f"{statement[:-1]} (check {j - len(seeds) - len(EXTRA_CRITERIA) + 2})."
        offset = plan.rng.randint(-14, 7)
    anchor = project.go_live_date or today + dt.timedelta(days=60)
    return AcceptanceCriterion(
        project=project,
        statement=statement,
        verification=verification,
        due_date=anchor + dt.timedelta(days=offset),
        # Most name the operations lead; some leave it to any operations member.
        expected_signer=project.ops_lead if j % 3 else None,
        expected_team=project.ops_team,
    )


def _signoffs(
    plans: list[Plan], criteria: list[AcceptanceCriterion], per_project: int, now: dt.datetime
) -> list[SignOff]:
    rows = []
    for p, plan in enumerate(plans):
        ops = plan.ops
        for j in range(per_project):
            criterion = criteria[p * per_project + j]
            signer = ops[j % len(ops)]
            signed_at = now - dt.timedelta(days=plan.rng.randint(1, 30))
            if j in plan.signed:
                rows.append(
                    SignOff(
                        criterion=criterion,
                        signed_by=signer,
                        signed_at=signed_at,
                        comment="Checked the evidence." if j % 2 else "",
                        statement_snapshot=criterion.statement,
                    )
                )
            elif plan.index % 7 == 0 and j == 0:
                # A sign-off that was revoked: the criterion is unsigned again.
                rows.append(
                    SignOff(
                        criterion=criterion,
                        signed_by=signer,
                        signed_at=signed_at,
                        statement_snapshot=criterion.statement,
                        revoked_at=signed_at + dt.timedelta(hours=4),
                        revoked_by=ops[(j + 1) % len(ops)],
                        revoke_reason="The restore test failed on the second run.",
                    )
                )
    return rows


def _check_phase_rules(plan: Plan, n_criteria: int) -> None:
    """Every step from planning to the plan's phase must be one the phase rules allow."""
    project = plan.project
    facts = phases.PhaseFacts(
        go_live_date=project.go_live_date,
        criteria_total=n_criteria,
        criteria_unsigned=n_criteria - len(plan.signed),
    )
    current: str = Phase.PLANNING
    for step in PATHS[Phase(project.phase)]:
        blockers = phases.move_blockers(current, step, facts)
        if blockers:
            raise RuntimeError(f"{project.name} breaks the phase rules: {'; '.join(blockers)}")
        current = step
