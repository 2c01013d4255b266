"""Demo people and teams: someone for every role in the demo transitions, and an admin.

`seed(today=..., password=...)` is idempotent: users are found by email and teams
by name, and only what is missing is created, except that a demo user's password
is reset to the one printed, so the printed logins always work. The roles these
people have in each transition are the projects app's demo (`apps/projects/demo.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.accounts.models import Team, User

DEMO_DOMAIN = "demo.transition.example"
DEFAULT_PASSWORD = "transition-demo"


@dataclass(frozen=True)
class Persona:
    key: str
    full_name: str
    label: str
    is_admin: bool = False

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


PERSONAS = (
    Persona("lead", "Priya Raman", "Delivery lead"),
    Persona("contributor", "Tomás Ortega", "Contributor (delivery engineer)"),
    Persona("ops", "Sam Okafor", "Operations engineer"),
    Persona("opslead", "Helena Novak", "Operations lead"),
    Persona("viewer", "Grace Whitfield", "Viewer (service owner)"),
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
class Login:
    email: str
    full_name: str
    label: str
    password: str


def logins(password: str) -> list[Login]:
    return [Login(p.email, p.full_name, p.label, password) for p in PERSONAS]


def people() -> dict[str, User]:
    """The demo users by persona key (for the other apps' seeders)."""
    by_email = {u.email: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    return {p.key: by_email[p.email] for p in PERSONAS}


def teams() -> dict[str, Team]:
    return {t.name: t for t in Team.objects.filter(name__in=[plan.name for plan in TEAMS])}


def seed(*, today: dt.date, password: str) -> list[str]:
    """Create the demo people and teams that are missing; a second run changes nothing."""
    created = sum(ensure_user(persona, password) for persona in PERSONAS)
    found = people()
    lines = [f"  {len(PERSONAS)} people ({created} created)"]
    for plan in TEAMS:
        team, team_created = ensure_team(plan, found)
        state = "created" if team_created else "already there"
        lines.append(f"  {team.name:<64} {team.get_kind_display():<10} ({state})")
    return lines


def ensure_user(persona: Persona, password: str) -> bool:
    """Create the persona's user, or reset its password to `password`; True when created."""
    user = User.objects.filter(email=persona.email).first()
    if user is None:
        create = User.objects.create_superuser if persona.is_admin else User.objects.create_user
        create(persona.email, password, full_name=persona.full_name)
        return True
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return False


def ensure_team(plan: TeamPlan, people: dict[str, User]) -> tuple[Team, bool]:
    team, created = Team.objects.get_or_create(
        name=plan.name,
        defaults={"kind": plan.kind, "description": plan.description, "email": plan.email},
    )
    team.members.add(*(people[key] for key in plan.members))
    return team, created
