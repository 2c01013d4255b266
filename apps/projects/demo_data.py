"""The demo's three transition plans, as data; `apps/projects/demo.py` seeds them.

Each plan says where a transition stands: its phase, each task's status and owner,
which criteria are signed (and one revoked), with dates in days from go-live so the
demo looks current whenever it runs. People are named by their persona key
(`apps/accounts/demo.py`); `ROLES` gives their role in every demo transition.

A plan must be reachable through the rules: the seeder moves a transition to its
phase one allowed move at a time, after its tasks and sign-offs, and stops with the
reason if a move is refused. A plan in hypercare needs a go-live date; one in BAU
needs every criterion signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.projects.models import Phase, Role, Task

S = Task.Status
A = Task.Area

# Each demo person's role in every demo transition (the admin is in none).
ROLES: dict[str, str] = {
    "lead": Role.LEAD,
    "contributor": Role.CONTRIBUTOR,
    "ops": Role.OPS,
    "opslead": Role.OPS,
    "viewer": Role.VIEWER,
}


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
    go_live_in_days: int | None  # None: no go-live date yet
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
