"""Support models at scale: `seed_scale`'s generator for this app (`projects.scale.GENERATORS`).

`generate(projects, people=..., ...)` gives each new transition a support model with
bulk inserts: a few INSERT statements per table whatever the number of transitions
(more only where the database caps the parameters of one statement), so 1,000
transitions take seconds.

Each transition gets four to six components named after its service, the three
default tiers, three or four teams whose members are the transition's own members,
a three-level standard path, and a catch-all owner. How complete a model is depends
on the phase, as in real portfolios: most BAU and hypercare models pass the gate,
most planning ones have gaps (cells nobody owns, a critical component without 24x7
cover, a team without written scope, no catch-all, a missing P1 target). Every row
respects what the services enforce: team members and named contacts are members of
the transition, levels are numbered from 1 in each path, cells have one owner each.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import User
from apps.projects.models import Phase, Project, Role
from apps.support.models import (
    Component,
    ComponentKind,
    Criticality,
    EscalationLevel,
    Hours,
    Ownership,
    Path,
    Priority,
    SupportSettings,
    SupportTeam,
    Tier,
)
from apps.support.services import DEFAULT_TIERS

# The history's change reason, as the projects app's generator writes it.
CHANGE_REASON = "seed_scale"
DOMAIN = "scale.transition.example"

# (name, kind, criticality); "{service}" is the transition's first service. The first
# four are in every model, the other two in some.
COMPONENTS = (
    ("{service}", ComponentKind.APPLICATION, Criticality.CRITICAL),
    ("{service} database", ComponentKind.DATABASE, Criticality.CRITICAL),
    ("{service} admin console", ComponentKind.APPLICATION, Criticality.NORMAL),
    ("Nightly {service} export", ComponentKind.BATCH_JOB, Criticality.HIGH),
    ("Kubernetes platform", ComponentKind.INFRASTRUCTURE, Criticality.HIGH),
    ("{service} vendor feed", ComponentKind.VENDOR_SERVICE, Criticality.HIGH),
)
MIN_COMPONENTS = 4

# The chance that a transition's model has gaps, per phase.
GAP_CHANCE: dict[str, float] = {
    Phase.PLANNING: 0.9,
    Phase.READINESS: 0.6,
    Phase.HYPERCARE: 0.15,
    Phase.BAU: 0.1,
    Phase.CANCELLED: 0.5,
}
GAP_KINDS = ("unowned", "no_24x7", "no_scope", "no_catch_all", "no_p1_target")

# Response targets in minutes (P1..P4) per tier, and whether the tier answers 24x7 for
# critical components.
TARGETS = ((15, 30, 240, 1440), (30, 60, 480, 2880), (60, 240, 1440, 4320))


@dataclass
class _Model:
    """One transition's rows, linked as objects until they have primary keys."""

    components: list[Component] = field(default_factory=list)
    tiers: list[Tier] = field(default_factory=list)
    teams: list[SupportTeam] = field(default_factory=list)
    members: list[tuple[SupportTeam, User]] = field(default_factory=list)
    cells: list[Ownership] = field(default_factory=list)
    levels: list[EscalationLevel] = field(default_factory=list)
    settings: SupportSettings | None = None


def generate(
    projects: Sequence[Project],
    *,
    people: dict[int, list[tuple[User, str]]],
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
) -> list[type[Model]]:
    """Add a support model to each of `projects` (new, without one); `people` are each
    transition's members, (user, role), by project id.

    Returns the models it wrote to (for the planner's statistics).
    """
    models = [_model(project, people[project.pk], rng) for project in projects]
    _insert([c for m in models for c in m.components], Component, now)
    _insert([t for m in models for t in m.tiers], Tier, now)
    _insert([t for m in models for t in m.teams], SupportTeam, now)
    SupportTeam.members.through.objects.bulk_create(
        [
            SupportTeam.members.through(supportteam_id=team.pk, user_id=user.pk)
            for m in models
            for team, user in m.members
        ]
    )
    _insert([c for m in models for c in m.cells], Ownership, now)
    _insert([lv for m in models for lv in m.levels], EscalationLevel, now)
    _insert([m.settings for m in models if m.settings], SupportSettings, now)
    return [Component, Tier, SupportTeam, Ownership, EscalationLevel, SupportSettings]


def _insert(rows: Sequence[Model], model: type[Model], now: dt.datetime) -> None:
    """Insert `rows` and their "created" history records; the rows get their keys."""
    if rows:
        bulk_create_with_history(rows, model, default_change_reason=CHANGE_REASON, default_date=now)


def _model(project: Project, members: list[tuple[User, str]], rng: random.Random) -> _Model:
    """The support model of one transition, with the gaps its phase tends to have."""
    by_role: dict[str, list[User]] = {}
    for user, role in members:
        by_role.setdefault(role, []).append(user)
    lead, contributors, ops = by_role[Role.LEAD][0], by_role[Role.CONTRIBUTOR], by_role[Role.OPS]
    services = project.service_list()
    service = services[0] if services else project.name
    gaps: set[str] = set()
    if rng.random() < GAP_CHANCE.get(project.phase, 0.5):
        gaps = set(rng.sample(GAP_KINDS, rng.randint(1, 3)))

    m = _Model()
    count = rng.randint(MIN_COMPONENTS, len(COMPONENTS))
    m.components = [
        Component(
            project=project,
            name=name.format(service=service),
            kind=kind,
            criticality=criticality,
        )
        for name, kind, criticality in COMPONENTS[:count]
    ]
    m.tiers = [
        Tier(project=project, position=n, name=name, description=description)
        for n, (name, description) in enumerate(DEFAULT_TIERS, start=1)
    ]
    desk = _team(project, "Service Desk", phone="+44 20 7946 0100", scope="First contact, 24x7.")
    app = _team(
        project,
        f"{service} support",
        pager=f"PagerDuty '{service}-L2'",
        scope=f"Diagnoses and fixes {service} and its data.",
    )
    engineering = _team(
        project,
        "Platform Engineering",
        pager="PagerDuty 'Platform-L3'",
        scope="The platform, the database servers, code changes.",
    )
    m.teams = [desk, app, engineering]
    m.members = [
        (desk, ops[-1]),
        *((app, u) for u in ops),
        *((engineering, u) for u in contributors),
    ]
    vendor = engineering  # owns the vendor feed's L3 when there is no vendor team
    if count == len(COMPONENTS):
        vendor = _team(project, "Vendor support", phone="+44 20 7946 0499", scope="The feed.")
        m.teams.append(vendor)
        m.members.append((vendor, lead))
    if "no_scope" in gaps:
        rng.choice(m.teams).in_scope = ""

    critical = [c for c in m.components if c.criticality == Criticality.CRITICAL]
    no_24x7 = rng.choice(critical) if "no_24x7" in gaps else None
    no_p1 = rng.choice(critical) if "no_p1_target" in gaps else None
    unowned: set[tuple[int, int]] = set()
    if "unowned" in gaps:
        # One or two components, from one tier up to all three.
        for c in rng.sample(range(count), rng.randint(1, 2)):
            unowned |= {(c, t) for t in rng.sample(range(3), rng.randint(1, 3))}
    for c, component in enumerate(m.components):
        owners = [
            desk,
            app,
            vendor if component.kind == ComponentKind.VENDOR_SERVICE else engineering,
        ]
        for t, (tier, team) in enumerate(zip(m.tiers, owners, strict=True)):
            if (c, t) in unowned:
                continue
            always = component.criticality == Criticality.CRITICAL and t < 2
            p1, p2, p3, p4 = TARGETS[t]
            m.cells.append(
                Ownership(
                    project=project,
                    component=component,
                    tier=tier,
                    team=team,
                    hours=Hours.ALWAYS if always and component is not no_24x7 else Hours.BUSINESS,
                    p1_minutes=None if component is no_p1 and t == 2 else p1,
                    p2_minutes=p2,
                    p3_minutes=p3,
                    p4_minutes=p4,
                )
            )

    standard = [(desk, None, ""), (app, 30, Priority.P2), (engineering, 60, Priority.P1)]
    m.levels = [
        EscalationLevel(
            project=project,
            path=Path.STANDARD,
            position=n,
            team=team,
            after_minutes=after,
            on_priority=priority,
        )
        for n, (team, after, priority) in enumerate(standard, start=1)
    ]
    if project.phase in (Phase.HYPERCARE, Phase.BAU):
        m.levels += [
            EscalationLevel(project=project, path=Path.HYPERCARE, position=1, team=app),
            EscalationLevel(
                project=project,
                path=Path.HYPERCARE,
                position=2,
                person=lead,
                after_minutes=30,
                on_priority=Priority.P1,
            ),
        ]
    if "no_catch_all" not in gaps:
        m.settings = SupportSettings(project=project, catch_all=desk)
    return m


def _team(
    project: Project, name: str, *, scope: str, phone: str = "", pager: str = ""
) -> SupportTeam:
    slug = name.lower().replace(" ", "-")
    return SupportTeam(
        project=project,
        name=name,
        email=f"{slug}@{DOMAIN}",
        phone=phone,
        pager=pager,
        in_scope=scope,
    )
