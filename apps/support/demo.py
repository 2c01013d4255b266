"""Demo support models: one per demo transition, each in a different state.

- Identity provider migration (hypercare): a complete model, so its "Support model"
  gate passes: seven components, every one owned at every tier, 24x7 cover and P1
  targets for the critical ones, four teams with written scope and reachable
  contacts, a four-level standard path, a hypercare path and a catch-all owner.
- Transition itself (readiness): partly modelled, with the gaps its tasks talk
  about: Redis has no L3 owner yet, the database on-call's out-of-hours cover is not
  confirmed (PostgreSQL, critical, has no 24x7 tier), the database team's scope is
  not written, and the catch-all owner is not chosen.
- Customer notifications (planning): barely started, two components and no teams.

`seed(today=..., password=...)` runs after the transitions' seeder, which creates
the transitions and their members; it writes through `services` as the demo lead, so
the history reads like real use. Idempotent: a transition that already has any
support data (a demo user may have edited it) is left as it is, and so is a closed
one, which refuses every write. The transitions are found by name: the names are
the projects app's demo plans' (its demo data is private to it; a test checks that
they agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.accounts import demo as accounts_demo
from apps.accounts.models import User
from apps.projects.models import Project
from apps.support import gaps, readiness, services
from apps.support.models import (
    Component,
    ComponentKind,
    Criticality,
    EscalationLevel,
    Hours,
    Path,
    Priority,
    SupportSettings,
    SupportTeam,
    Tier,
)

DOMAIN = accounts_demo.DEMO_DOMAIN
# Made-up numbers from the ranges Ofcom keeps for drama (020 7946 0xxx, 07700 900xxx).
DESK_PHONE = "+44 20 7946 0100"

K = ComponentKind
C = Criticality
ALWAYS, BUSINESS = Hours.ALWAYS, Hours.BUSINESS


@dataclass(frozen=True)
class ComponentPlan:
    name: str
    kind: str
    criticality: str
    description: str = ""


@dataclass(frozen=True)
class TeamPlan:
    name: str
    members: tuple[str, ...]  # persona keys (apps/accounts/demo.py)
    email: str = ""
    phone: str = ""
    chat: str = ""
    pager: str = ""
    in_scope: str = ""
    out_of_scope: str = ""


@dataclass(frozen=True)
class Cell:
    """The owner of one cell: a team, its hours and its P1..P4 targets in minutes."""

    team: str
    hours: str
    targets: tuple[int | None, int | None, int | None, int | None]


@dataclass(frozen=True)
class RowPlan:
    """A component's owners, one per tier in order (None: nobody owns it there yet)."""

    component: str
    owners: tuple[Cell | None, ...]


@dataclass(frozen=True)
class LevelPlan:
    path: str
    team: str = ""
    person: str = ""  # a persona key
    phone: str = ""
    pager: str = ""
    after_minutes: int | None = None
    on_priority: str = ""
    note: str = ""


@dataclass(frozen=True)
class SupportPlan:
    transition: str  # the demo transition's name
    components: tuple[ComponentPlan, ...]
    teams: tuple[TeamPlan, ...] = ()
    rows: tuple[RowPlan, ...] = ()
    levels: tuple[LevelPlan, ...] = ()
    catch_all: str = ""  # a team's name, or none chosen yet


# Response targets (minutes) for P1..P4, by how urgently a tier answers.
DESK_24X7 = (15, 30, 240, 1440)
APP_24X7 = (30, 60, 480, 2880)
ENG_24X7 = (60, 240, 1440, 4320)
DESK_DAY = (30, 60, 480, 2880)
APP_DAY = (60, 240, 1440, 4320)
ENG_DAY = (240, 480, 2880, 7200)


# (a) Complete ------------------------------------------------------------------------

DESK = "Service Desk"
IAM_SUPPORT = "Identity App Support"
PLATFORM = "Platform Engineering"
VENDOR = "Textwave vendor support"

KEYCLOAK = "Keycloak cluster"
KEYCLOAK_DB = "Keycloak database (PostgreSQL)"
LDAP = "LDAP federation to the HR directory"
THEME = "Login theme and account console"
EXPORT = "Nightly realm-export backup"
KUBERNETES = "Kubernetes platform"
SMS_OTP = "SMS one-time passcodes (Textwave)"

IDENTITY = SupportPlan(
    transition="Identity provider migration (Keycloak) → Platform Operations",
    components=(
        ComponentPlan(
            KEYCLOAK,
            K.APPLICATION,
            C.CRITICAL,
            "Three Keycloak nodes behind the load balancer: every staff sign-in goes through them.",
        ),
        ComponentPlan(
            KEYCLOAK_DB,
            K.DATABASE,
            C.CRITICAL,
            "Realms, clients and sessions; a primary and a streaming replica.",
        ),
        ComponentPlan(
            LDAP,
            K.INTEGRATION,
            C.HIGH,
            "Users and groups come from the HR directory; the fallback realm takes over "
            "when it is down.",
        ),
        ComponentPlan(THEME, K.APPLICATION, C.NORMAL, "Branding and the self-service pages."),
        ComponentPlan(
            EXPORT,
            K.BATCH_JOB,
            C.HIGH,
            "Exports every realm at 02:00 to object storage; the restore scenario starts from it.",
        ),
        ComponentPlan(
            KUBERNETES,
            K.INFRASTRUCTURE,
            C.CRITICAL,
            "The shared production cluster the Keycloak pods run on.",
        ),
        ComponentPlan(
            SMS_OTP,
            K.VENDOR_SERVICE,
            C.HIGH,
            "Second factor by SMS for staff without the authenticator app.",
        ),
    ),
    teams=(
        TeamPlan(
            DESK,
            ("ops", "opslead"),
            email=f"servicedesk@{DOMAIN}",
            phone=DESK_PHONE,
            chat="#service-desk",
            pager="PagerDuty 'Service Desk'",
            in_scope=(
                "Takes every call and ticket first, 24x7: logs it, sets the priority, "
                "resets passwords and unlocks accounts, and follows the first steps of the "
                "runbook's scenarios."
            ),
            out_of_scope=(
                "Changes to realms, clients or authentication flows; anything that needs "
                "access to the cluster or the database."
            ),
        ),
        TeamPlan(
            IAM_SUPPORT,
            ("ops", "contributor"),
            email=f"identity-support@{DOMAIN}",
            phone="+44 20 7946 0210",
            chat="#identity-support",
            pager="PagerDuty 'Identity-L2'",
            in_scope=(
                "Keycloak realms, clients, flows and themes; the LDAP federation; "
                "diagnosing failed logins; restoring a realm from the nightly export."
            ),
            out_of_scope=(
                "The Kubernetes cluster and the database servers (Platform Engineering); "
                "the SMS network (Textwave)."
            ),
        ),
        TeamPlan(
            PLATFORM,
            ("contributor", "opslead"),
            email=f"platform-engineering@{DOMAIN}",
            phone="+44 20 7946 0320",
            chat="#platform-eng",
            pager="PagerDuty 'Platform-L3'",
            in_scope=(
                "The Kubernetes cluster, PostgreSQL servers and backups, Keycloak upgrades "
                "and code changes to the theme and extensions."
            ),
            out_of_scope="User administration and access requests (Service Desk).",
        ),
        TeamPlan(
            VENDOR,
            ("opslead", "viewer"),
            email="support@textwave.example",
            phone="+44 20 7946 0499",
            pager="Textwave support portal, severity 1 case",
            in_scope=(
                "Delivery of one-time passcodes by SMS: the gateway, the network routes "
                "and the delivery reports. Helena Novak and Grace Whitfield may open cases."
            ),
            out_of_scope="Anything on our side of the gateway's API.",
        ),
    ),
    rows=(
        RowPlan(
            KEYCLOAK,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(IAM_SUPPORT, ALWAYS, APP_24X7),
                Cell(PLATFORM, ALWAYS, ENG_24X7),
            ),
        ),
        RowPlan(
            KEYCLOAK_DB,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(IAM_SUPPORT, ALWAYS, APP_24X7),
                Cell(PLATFORM, ALWAYS, ENG_24X7),
            ),
        ),
        RowPlan(
            LDAP,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(IAM_SUPPORT, BUSINESS, APP_DAY),
                Cell(PLATFORM, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            THEME,
            (
                Cell(DESK, BUSINESS, DESK_DAY),
                Cell(IAM_SUPPORT, BUSINESS, APP_DAY),
                Cell(PLATFORM, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            EXPORT,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(IAM_SUPPORT, BUSINESS, APP_DAY),
                Cell(PLATFORM, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            KUBERNETES,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(PLATFORM, ALWAYS, APP_24X7),
                Cell(PLATFORM, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            SMS_OTP,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(IAM_SUPPORT, BUSINESS, APP_DAY),
                Cell(VENDOR, ALWAYS, ENG_24X7),
            ),
        ),
    ),
    levels=(
        LevelPlan(
            Path.STANDARD,
            team=DESK,
            note="Log the incident, set its priority, follow the runbook's first steps.",
        ),
        LevelPlan(
            Path.STANDARD,
            team=IAM_SUPPORT,
            after_minutes=30,
            on_priority=Priority.P2,
            note="Page the on-call engineer; P1 and P2 go straight here.",
        ),
        LevelPlan(
            Path.STANDARD,
            team=PLATFORM,
            after_minutes=60,
            on_priority=Priority.P1,
            note="When the cluster, the database or a Keycloak upgrade is involved.",
        ),
        LevelPlan(
            Path.STANDARD,
            person="opslead",
            phone="+44 7700 900123",
            after_minutes=120,
            on_priority=Priority.P1,
            note="Incident manager: declares a major incident and calls in the vendor.",
        ),
        LevelPlan(
            Path.HYPERCARE,
            team=IAM_SUPPORT,
            note="During hypercare the delivery engineers take the first call with ops.",
        ),
        LevelPlan(
            Path.HYPERCARE,
            person="lead",
            phone="+44 7700 900456",
            after_minutes=30,
            on_priority=Priority.P1,
            note="The delivery lead decides on a rollback to the legacy portal.",
        ),
        LevelPlan(
            Path.HYPERCARE,
            team=PLATFORM,
            after_minutes=60,
            on_priority=Priority.P1,
        ),
    ),
    catch_all=DESK,
)

# (b) Partly modelled, with blocking gaps ------------------------------------------------

OPERATIONS = "Platform Operations"
DELIVERY = "Platform Delivery"
DBA = "Database on-call"

WEB = "Web app (Django, gunicorn)"
WORKER = "Celery worker"
BEAT = "Celery beat"
POSTGRES = "PostgreSQL 16"
REDIS = "Redis 7 (Celery broker)"

TRANSITION_ITSELF = SupportPlan(
    transition="Transition (this app) → Platform Operations",
    components=(
        ComponentPlan(WEB, K.APPLICATION, C.CRITICAL, "Pages, the API and the alert webhooks."),
        ComponentPlan(WORKER, K.APPLICATION, C.HIGH, "Reminder digests, escalations, evaluations."),
        ComponentPlan(BEAT, K.BATCH_JOB, C.HIGH, "The periodic schedule: exactly one instance."),
        ComponentPlan(POSTGRES, K.DATABASE, C.CRITICAL, "Nightly backups and WAL archiving."),
        ComponentPlan(REDIS, K.INFRASTRUCTURE, C.HIGH, "The broker; managed Redis is planned."),
    ),
    teams=(
        TeamPlan(
            DESK,
            ("ops",),
            email=f"servicedesk@{DOMAIN}",
            phone=DESK_PHONE,
            chat="#service-desk",
            in_scope="First contact, 24x7: logs, triages and routes; restarts per the runbook.",
            out_of_scope="Configuration changes and deployments.",
        ),
        TeamPlan(
            OPERATIONS,
            ("ops", "opslead"),
            email=f"platform-ops@{DOMAIN}",
            pager="PagerDuty 'Platform-Ops'",
            chat="#platform-ops",
            in_scope="Runs the web app, the worker, beat and Redis: deploys, restarts, scaling.",
            out_of_scope="Code changes (Platform Delivery); the database (Database on-call).",
        ),
        TeamPlan(
            DELIVERY,
            ("lead", "contributor"),
            email=f"platform-delivery@{DOMAIN}",
            chat="#transition-dev",
            in_scope="Code fixes and releases of Transition until the end of hypercare.",
        ),
        # Its scope is still to be agreed, and its out-of-hours number is not confirmed.
        TeamPlan(DBA, ("opslead",), email=f"dba@{DOMAIN}"),
    ),
    rows=(
        RowPlan(
            WEB,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(OPERATIONS, ALWAYS, APP_24X7),
                Cell(DELIVERY, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            WORKER,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(OPERATIONS, ALWAYS, APP_24X7),
                Cell(DELIVERY, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            BEAT,
            (
                Cell(DESK, ALWAYS, DESK_24X7),
                Cell(OPERATIONS, BUSINESS, APP_DAY),
                Cell(DELIVERY, BUSINESS, ENG_DAY),
            ),
        ),
        RowPlan(
            POSTGRES,
            (
                Cell(DESK, BUSINESS, DESK_DAY),
                Cell(DBA, BUSINESS, APP_DAY),
                Cell(DBA, BUSINESS, ENG_DAY),
            ),
        ),
        # L3 waits for the managed-Redis contract.
        RowPlan(
            REDIS,
            (Cell(DESK, ALWAYS, DESK_24X7), Cell(OPERATIONS, ALWAYS, APP_24X7), None),
        ),
    ),
    levels=(
        LevelPlan(Path.STANDARD, team=DESK, note="Log it and follow the runbook."),
        LevelPlan(Path.STANDARD, team=OPERATIONS, after_minutes=30, on_priority=Priority.P2),
        LevelPlan(
            Path.STANDARD,
            team=DELIVERY,
            after_minutes=120,
            on_priority=Priority.P1,
            note="Business hours only until the hypercare path is set up.",
        ),
    ),
)

# (c) Barely started ----------------------------------------------------------------------

NOTIFICATIONS = SupportPlan(
    transition="Customer notifications service → Platform Operations",
    components=(
        ComponentPlan(
            "Notifications API", K.APPLICATION, C.CRITICAL, "Accepts every email and SMS request."
        ),
        ComponentPlan(
            "SMS provider integration",
            K.INTEGRATION,
            C.HIGH,
            "Who supports it waits for the provider's contract to name a contact.",
        ),
    ),
)

PLANS = (IDENTITY, TRANSITION_ITSELF, NOTIFICATIONS)


def seed(*, today: dt.date, password: str) -> list[str]:
    """Model the support of each demo transition that has none yet; returns one line each.

    `password` is the accounts seeder's (every seeder takes the same arguments).
    """
    people = accounts_demo.people()
    lines = []
    for plan in PLANS:
        project = Project.objects.filter(name=plan.transition).first()
        if project is None:
            lines.append(f"  {plan.transition:<64} not found: skipped")
            continue
        if has_support_data(project):
            state = "already there"
        elif project.is_closed:
            state = f"{project.get_phase_display()}: left as it is"
        else:
            ensure_model(project, plan, people)
            state = "created"
        lines.append(f"  {project.name:<64} {describe(project)}  ({state})")
    return lines


def has_support_data(project: Project) -> bool:
    return any(
        model.objects.filter(project=project).exists()
        for model in (Component, Tier, SupportTeam, EscalationLevel, SupportSettings)
    )


def describe(project: Project) -> str:
    """ "7 components, 4 teams: no blocking gap" for the seed's report."""
    facts = readiness.facts_for(project)
    blocking = sum(1 for gap in gaps.find(facts) if gap.blocking)
    verdict = "no blocking gap" if not blocking else f"{blocking} blocking gaps"
    return f"{len(facts.components)} components, {len(facts.teams)} teams: {verdict}"


def ensure_model(project: Project, plan: SupportPlan, people: dict[str, User]) -> None:
    """Write `plan` into `project`'s empty support model, as the demo lead."""
    lead = people["lead"]
    components = {}
    for c in plan.components:
        component = Component(
            project=project,
            name=c.name,
            kind=c.kind,
            criticality=c.criticality,
            description=c.description,
        )
        components[c.name] = services.component_save(component=component, by=lead)
    teams = {}
    for t in plan.teams:
        team = SupportTeam(
            project=project,
            name=t.name,
            email=t.email,
            phone=t.phone,
            chat=t.chat,
            pager=t.pager,
            in_scope=t.in_scope,
            out_of_scope=t.out_of_scope,
        )
        members = [people[key] for key in t.members]
        teams[t.name] = services.team_save(team=team, members=members, by=lead)
    tiers = list(Tier.objects.filter(project=project).order_by("position"))
    for row in plan.rows:
        for tier, cell in zip(tiers, row.owners, strict=True):
            if cell is None:
                continue
            p1, p2, p3, p4 = cell.targets
            services.cell_set(
                project=project,
                component=components[row.component],
                tier=tier,
                values={
                    "team": teams[cell.team],
                    "hours": cell.hours,
                    "p1_minutes": p1,
                    "p2_minutes": p2,
                    "p3_minutes": p3,
                    "p4_minutes": p4,
                },
                by=lead,
                seen_version="",
            )
    for lv in plan.levels:
        level = EscalationLevel(
            project=project,
            path=lv.path,
            team=teams[lv.team] if lv.team else None,
            person=people[lv.person] if lv.person else None,
            phone=lv.phone,
            pager=lv.pager,
            after_minutes=lv.after_minutes,
            on_priority=lv.on_priority,
            note=lv.note,
        )
        services.level_save(level=level, by=lead)
    if plan.catch_all:
        services.catch_all_set(project=project, team=teams[plan.catch_all], by=lead)
