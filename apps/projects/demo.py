"""Demo data: people in every role, two teams and three transitions in different phases.

`seed(today=..., password=...)` is idempotent: users are found by email, teams and
transitions by name, tasks by title and criteria by statement within their
transition, and only what is missing is created. A record the seed finds is left
as it is (a demo user may have moved a task or signed a criterion since), except
that a demo user's password is reset to the one printed, so the printed logins
always work. Everything goes through `services` so the activity history reads like
real use. Dates are relative to `today`, so the demo looks current whenever it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.projects import services
from apps.projects.guard import ActionRefused
from apps.projects.models import AcceptanceCriterion, Membership, Phase, Project, Role, Task

DEMO_DOMAIN = "demo.transition.example"
DEFAULT_PASSWORD = "transition-demo"

S = Task.Status
A = Task.Area


@dataclass(frozen=True)
class Persona:
    key: str
    full_name: str
    label: str
    role: str = ""  # the role this person has in every demo transition; "" for none
    is_admin: bool = False

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


PERSONAS = (
    Persona("lead", "Priya Raman", "Delivery lead", Role.LEAD),
    Persona("contributor", "Tomás Ortega", "Contributor (delivery engineer)", Role.CONTRIBUTOR),
    Persona("ops", "Sam Okafor", "Operations engineer", Role.OPS),
    Persona("opslead", "Helena Novak", "Operations lead", Role.OPS),
    Persona("viewer", "Grace Whitfield", "Viewer (service owner)", Role.VIEWER),
    Persona("admin", "Morgan Ellis", "Staff admin (sees everything, /admin/)", is_admin=True),
)


@dataclass(frozen=True)
class TeamPlan:
    name: str
    kind: str
    description: str
    email: str
    members: tuple[str, ...]


TEAMS = (
    TeamPlan(
        "Platform Delivery",
        Team.Kind.DELIVERY,
        "Builds internal platforms and hands each one over to operations.",
        f"platform-delivery@{DEMO_DOMAIN}",
        ("lead", "contributor"),
    ),
    TeamPlan(
        "Platform Operations",
        Team.Kind.OPERATIONS,
        "Runs production platforms around the clock: on-call, incidents, patching, backups.",
        f"platform-ops@{DEMO_DOMAIN}",
        ("opslead", "ops"),
    ),
)
OPS_TEAM = "Platform Operations"


@dataclass(frozen=True)
class TaskPlan:
    """A task's state in the demo. `days_from_go_live=None`: the blueprint creates it."""

    title: str
    owner: str
    status: str = S.TODO
    note: str = ""
    area: str = A.OTHER
    days_from_go_live: int | None = None


@dataclass(frozen=True)
class CriterionPlan:
    """A criterion and, optionally, its sign-off (and revocation), in days from go-live."""

    statement: str
    verification: str = ""
    days_from_go_live: int | None = None  # None: the blueprint creates it
    signed_by: str = ""
    signed_day: int = 0
    comment: str = ""
    revoked_by: str = ""
    revoke_reason: str = ""


@dataclass(frozen=True)
class ProjectPlan:
    name: str
    description: str
    services: tuple[str, ...]
    go_live_in_days: int
    hypercare_days: int
    phase: str
    tasks: tuple[TaskPlan, ...]
    criteria: tuple[CriterionPlan, ...]
    blueprint: str = "standard-bau"


# Titles and statements written by the standard-bau blueprint (apps/projects/blueprints.py).
OWNER_AND_CRITERIA = "Name the transition owner and agree the acceptance criteria"
LIST_ALERTS = "List the critical alerts and the scenarios they map to"
WRITE_SCENARIOS = "Write runbook scenarios: symptoms, normal baseline, steps, who to call"
WALKTHROUGH = "Ops walkthrough of the runbook"
CONFIGURE_ALERTS = "Configure alerts and dashboards in the ops tooling"
FIRE_AND_RESOLVE = "See every critical alert fire and resolve"
OWNERSHIP = "Agree component ownership for every support tier"
ESCALATION = "Write down the escalation path with reachable contacts"
CATCH_ALL = "Name the catch-all owner for what falls between the cracks"
DECISION_RECORDS = "Write decision records for the key design choices"
KT_SESSIONS = "Hold knowledge-transfer sessions with the operations team"
EXIT_CRITERIA = "Agree hypercare exit criteria with operations"
HYPERCARE_PATH = "Set up the hypercare escalation path"
RUNBOOK_ACCEPTED = "The runbook is accepted by operations."
MONITORING_VERIFIED = "Monitoring is verified."
SUPPORT_AGREED = "The support model is agreed."
KT_COMPLETE = "Knowledge transfer is complete."
EXIT_AGREED = "The hypercare exit is agreed."

TRANSITION_ITSELF = ProjectPlan(
    name="Transition (this app) → Platform Operations",
    description=(
        "Hand-off of Transition, the hand-off tracker itself, from Platform Delivery to "
        "Platform Operations. Operations will run it for every other transition, so it has "
        "to pass its own gates: a runbook that survives its first week, alerts seen firing "
        "and resolving, and a support model with no gaps."
    ),
    services=(
        "Web app (Django behind gunicorn, serving pages, the API and the alert webhooks)",
        "Celery worker (reminder digests, escalations, hypercare evaluations)",
        "Celery beat (the periodic schedule; exactly one instance)",
        "PostgreSQL 16 (the database: nightly backups and WAL archiving)",
        "Redis 7 (Celery broker)",
    ),
    go_live_in_days=10,
    hypercare_days=21,
    phase=Phase.READINESS,
    tasks=(
        TaskPlan(OWNER_AND_CRITERIA, "lead", S.DONE),
        TaskPlan(LIST_ALERTS, "contributor", S.DONE),
        TaskPlan(WRITE_SCENARIOS, "contributor", S.DONE),
        TaskPlan(
            WALKTHROUGH,
            "ops",
            S.IN_PROGRESS,
            "Web and database scenarios walked through; Celery and Redis scenarios on Thursday.",
        ),
        TaskPlan(CONFIGURE_ALERTS, "ops", S.DONE),
        TaskPlan(
            FIRE_AND_RESOLVE,
            "ops",
            S.IN_PROGRESS,
            "Watchdog, 5xx rate and disk alerts seen firing and resolving; "
            "queue depth still to trigger.",
        ),
        TaskPlan(OWNERSHIP, "opslead", S.DONE),
        TaskPlan(
            ESCALATION,
            "opslead",
            S.IN_PROGRESS,
            "The out-of-hours number for the database on-call is not confirmed yet.",
        ),
        TaskPlan(
            CATCH_ALL,
            "opslead",
            S.BLOCKED,
            "Blocked: the Head of Platform has to choose between Platform Operations and "
            "the service desk.",
        ),
        TaskPlan(
            DECISION_RECORDS,
            "contributor",
            S.IN_PROGRESS,
            "Written: SQLite and a filesystem broker as the embedded default; one beat "
            "instance. Still to write: why Redis rather than RabbitMQ.",
        ),
        TaskPlan(
            KT_SESSIONS,
            "lead",
            S.IN_PROGRESS,
            "Two of three sessions held; the reminders and Celery session is booked.",
        ),
        TaskPlan(EXIT_CRITERIA, "lead", S.DONE),
        TaskPlan(HYPERCARE_PATH, "opslead"),
        TaskPlan(
            "Document the one-beat rule and how to spot two beats running",
            "contributor",
            S.DONE,
            "Two beats enqueue every periodic job twice: the sent-log stops duplicate "
            "digests, not the wasted work.",
            A.RUNBOOK,
            -16,
        ),
        TaskPlan(
            "Restore drill: recover PostgreSQL from last night's backup into staging",
            "ops",
            S.TODO,
            "Time it end to end; the acceptance criterion says 30 minutes.",
            A.RUNBOOK,
            -12,
        ),
        TaskPlan(
            "Alert when the Celery queue backs up or the worker heartbeat goes stale",
            "contributor",
            S.BLOCKED,
            "Blocked: the Redis exporter is not deployed in production yet "
            "(ticket with the observability team).",
            A.MONITORING,
            -9,
        ),
        TaskPlan(
            "Point Alertmanager at /hooks/alertmanager/<token>/ and keep the watchdog on",
            "ops",
            S.IN_PROGRESS,
            area=A.MONITORING,
            days_from_go_live=-8,
        ),
        TaskPlan(
            "Write the procedure for rotating SECRET_KEY and webhook tokens",
            "contributor",
            area=A.RUNBOOK,
            days_from_go_live=-5,
        ),
    ),
    criteria=(
        CriterionPlan(RUNBOOK_ACCEPTED),
        CriterionPlan(
            MONITORING_VERIFIED,
            signed_by="ops",
            signed_day=-14,
            comment="All critical alerts seen firing and resolving in staging.",
            revoked_by="opslead",
            revoke_reason=(
                "The watchdog alert stopped arriving after the Redis upgrade: the heartbeat "
                "has to be seen again before this can stand."
            ),
        ),
        CriterionPlan(SUPPORT_AGREED),
        CriterionPlan(KT_COMPLETE),
        CriterionPlan(EXIT_AGREED),
        CriterionPlan(
            "/healthz reports the database and the broker, and the load balancer uses it.",
            "Stop Redis in staging: /healthz turns unhealthy and the node leaves the pool.",
            -12,
            signed_by="ops",
            signed_day=-12,
            comment="Redis stopped in staging: /healthz answered 503 within 10 s, node drained.",
        ),
        CriterionPlan(
            "Reminder digests arrive once per person per day.",
            "Two days of digests in the operations mailbox, none duplicated.",
            -9,
            signed_by="opslead",
            signed_day=-11,
            comment="Seen in the platform-ops mailbox on two consecutive days.",
        ),
        CriterionPlan(
            "A PostgreSQL restore from the nightly backup completes within 30 minutes.",
            "The restore drill in staging, timed, with its log attached.",
            -5,
        ),
    ),
)

NOTIFICATIONS = ProjectPlan(
    name="Customer notifications service → Platform Operations",
    description=(
        "Hand-off of the new email and SMS notification service that replaces the legacy "
        "mailer. Delivery is still building it: the owner is named, the acceptance criteria "
        "are drafted and the support model is under discussion."
    ),
    services=(
        "Notifications API",
        "Delivery workers (queue consumers for email and SMS)",
        "Email relay (Amazon SES)",
        "SMS provider integration",
        "Template store",
    ),
    go_live_in_days=38,
    hypercare_days=28,
    phase=Phase.PLANNING,
    tasks=(
        TaskPlan(
            "Agree the scope of the hand-off with operations",
            "lead",
            S.DONE,
            area=A.OTHER,
            days_from_go_live=-45,
        ),
        TaskPlan(
            OWNER_AND_CRITERIA,
            "lead",
            S.IN_PROGRESS,
            "Owner named; the criteria draft is with operations for comments.",
        ),
        TaskPlan(LIST_ALERTS, "contributor", S.IN_PROGRESS),
        TaskPlan(WRITE_SCENARIOS, "contributor"),
        TaskPlan(CONFIGURE_ALERTS, "contributor"),
        TaskPlan(OWNERSHIP, "opslead"),
        TaskPlan(DECISION_RECORDS, "contributor"),
        TaskPlan(
            "Decide whether SMS provider outages page operations or the vendor manager",
            "opslead",
            S.BLOCKED,
            "Blocked: the SMS provider contract does not name a support contact yet.",
            A.SUPPORT,
            -32,
        ),
        TaskPlan(
            "Book knowledge-transfer sessions around the on-call rota",
            "lead",
            area=A.KNOWLEDGE,
            days_from_go_live=-30,
        ),
    ),
    criteria=(
        CriterionPlan(RUNBOOK_ACCEPTED),
        CriterionPlan(MONITORING_VERIFIED),
        CriterionPlan(SUPPORT_AGREED),
        CriterionPlan(KT_COMPLETE),
        CriterionPlan(EXIT_AGREED),
        CriterionPlan(
            "Bounced emails and failed SMS show on a dashboard operations already watches.",
            "A test bounce and a failed SMS appear on the operations overview dashboard.",
            -10,
        ),
    ),
)

IDENTITY = ProjectPlan(
    name="Identity provider migration (Keycloak) → Platform Operations",
    description=(
        "Hand-off of single sign-on after the move from the legacy LDAP portal to Keycloak. "
        "Live and in a three-week hypercare with a dedicated escalation path; it ends when "
        "the exit criteria hold, not when the calendar runs out."
    ),
    services=(
        "Keycloak cluster (3 nodes)",
        "PostgreSQL database for Keycloak",
        "LDAP federation to the HR directory",
        "Login theme and account console",
    ),
    go_live_in_days=-9,
    hypercare_days=21,
    phase=Phase.HYPERCARE,
    tasks=(
        TaskPlan(OWNER_AND_CRITERIA, "lead", S.DONE),
        TaskPlan(LIST_ALERTS, "contributor", S.DONE),
        TaskPlan(WRITE_SCENARIOS, "contributor", S.DONE),
        TaskPlan(WALKTHROUGH, "ops", S.DONE),
        TaskPlan(CONFIGURE_ALERTS, "ops", S.DONE),
        TaskPlan(FIRE_AND_RESOLVE, "ops", S.DONE),
        TaskPlan(OWNERSHIP, "opslead", S.DONE),
        TaskPlan(ESCALATION, "opslead", S.DONE),
        TaskPlan(CATCH_ALL, "opslead", S.DONE),
        TaskPlan(DECISION_RECORDS, "contributor", S.DONE),
        TaskPlan(KT_SESSIONS, "lead", S.DONE),
        TaskPlan(EXIT_CRITERIA, "lead", S.DONE),
        TaskPlan(HYPERCARE_PATH, "opslead", S.DONE),
        TaskPlan(
            "Write the decision record on session lifetimes (why 8 hours, not 24)",
            "contributor",
            area=A.KNOWLEDGE,
            days_from_go_live=3,
        ),
        TaskPlan(
            "Weekly hypercare review with operations",
            "lead",
            S.DONE,
            area=A.HYPERCARE,
            days_from_go_live=7,
        ),
        TaskPlan(
            "Tune the failed-login alert: it paged twice for a password-spraying test",
            "contributor",
            S.IN_PROGRESS,
            area=A.MONITORING,
            days_from_go_live=7,
        ),
        TaskPlan(
            "Hand the realm-export backup job to the operations backup tooling",
            "ops",
            S.BLOCKED,
            "Blocked: the backup tooling cannot read the Keycloak volume until the storage "
            "change is approved.",
            A.RUNBOOK,
            10,
        ),
        TaskPlan(
            "Second hypercare review: check the exit criteria",
            "lead",
            area=A.HYPERCARE,
            days_from_go_live=14,
        ),
    ),
    criteria=(
        CriterionPlan(RUNBOOK_ACCEPTED, signed_by="ops", signed_day=-8),
        CriterionPlan(
            MONITORING_VERIFIED,
            signed_by="ops",
            signed_day=-6,
            comment="Every critical alert seen firing and resolving; evidence attached.",
        ),
        CriterionPlan(SUPPORT_AGREED, signed_by="opslead", signed_day=-7),
        CriterionPlan(KT_COMPLETE),
        CriterionPlan(EXIT_AGREED),
        CriterionPlan(
            "Users can log in through the fallback realm when LDAP federation is down.",
            "Federation disabled in staging; the test accounts log in through the fallback.",
            -5,
            signed_by="lead",
            signed_day=-4,
            comment="Signed as operations with Helena's agreement while she was on leave.",
        ),
    ),
)

PROJECTS = (NOTIFICATIONS, TRANSITION_ITSELF, IDENTITY)

# The order in which a transition normally moves forward.
FORWARD: list[str] = [Phase.PLANNING, Phase.READINESS, Phase.HYPERCARE, Phase.BAU]


@dataclass(frozen=True)
class Login:
    email: str
    full_name: str
    label: str
    password: str


@dataclass
class SeedResult:
    logins: list[Login] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    created: list[Project] = field(default_factory=list)


def seed(*, today: dt.date, password: str = DEFAULT_PASSWORD) -> SeedResult:
    """Create whatever of the demo data is missing; a second run changes nothing."""
    result = SeedResult()
    with transaction.atomic():
        people = {persona.key: ensure_user(persona, password) for persona in PERSONAS}
        result.logins = [Login(p.email, p.full_name, p.label, password) for p in PERSONAS]
        teams = {plan.name: ensure_team(plan, people) for plan in TEAMS}
        for plan in PROJECTS:
            project, created = ensure_project(plan, people, teams[OPS_TEAM], today=today)
            result.projects.append(project)
            if created:
                result.created.append(project)
    return result


def ensure_user(persona: Persona, password: str) -> User:
    user = User.objects.filter(email=persona.email).first()
    if user is None:
        create = User.objects.create_superuser if persona.is_admin else User.objects.create_user
        return create(persona.email, password, full_name=persona.full_name)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def ensure_team(plan: TeamPlan, people: dict[str, User]) -> Team:
    team, _ = Team.objects.get_or_create(
        name=plan.name,
        defaults={"kind": plan.kind, "description": plan.description, "email": plan.email},
    )
    team.members.add(*(people[key] for key in plan.members))
    return team


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
            go_live_date=today + dt.timedelta(days=plan.go_live_in_days),
            hypercare_days=plan.hypercare_days,
        )
    for persona in PERSONAS:
        if (
            persona.role
            and not Membership.objects.filter(project=project, user=people[persona.key]).exists()
        ):
            services.membership_set(
                project=project, user=people[persona.key], role=persona.role, by=lead
            )
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
                due_date=_go_live(project) + dt.timedelta(days=plan.days_from_go_live),
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
            due_date=_go_live(project) + dt.timedelta(days=plan.days_from_go_live),
            expected_signer=project.ops_lead,
            expected_team=project.ops_team,
        )
        services.criterion_save(criterion=criterion, by=lead, now=_moment(today, today, hour=9))
        fresh = True
    if not fresh or not plan.signed_by:
        return
    signer = people[plan.signed_by]
    signed_on = _go_live(project) + dt.timedelta(days=plan.signed_day)
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
    """Move a new demo transition forward, one phase at a time, to `to`."""
    start, end = FORWARD.index(project.phase), FORWARD.index(to)
    for step in FORWARD[start + 1 : end + 1]:
        try:
            services.project_change_phase(project=project, to=step, by=by)
        except ActionRefused:
            # The demo shows transitions part-way through, so a gate it cannot pass yet
            # may refuse the move; set the phase as an administrator would.
            project.phase = step
            project._history_user = by  # type: ignore[attr-defined]
            project.save(update_fields=["phase", "updated_at"])


def _go_live(project: Project) -> dt.date:
    assert project.go_live_date is not None  # every demo transition has one
    return project.go_live_date


def _moment(day: dt.date, today: dt.date, *, hour: int) -> dt.datetime:
    """`hour` o'clock on `day`, but never later than yesterday: demo events are past."""
    day = min(day, today - dt.timedelta(days=1))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
