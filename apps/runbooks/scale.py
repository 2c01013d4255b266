"""Runbooks at scale: `seed_scale`'s generator for this app (`projects.scale.GENERATORS`).

`generate(projects, people=..., ...)` gives each new transition a runbook with bulk
inserts: one read of the transitions' components and a few INSERT statements per
table whatever the number of transitions (more only where the database caps the
parameters of one statement). It runs after the support generator, whose components
the scenarios are about.

Each transition gets one runbook of three to five scenarios, written from a template
per kind of component (critical components first, so they are covered), with alert
names after the service. Walkthroughs are recorded by the transition's operations
members: for every scenario of a live transition (hypercare, BAU), and for some of a
transition in readiness (where some rehearsals fail, as they do before go-live). How
ready a runbook is depends on the phase, as in real portfolios: most hypercare and
BAU runbooks pass the gate, most planning ones are drafts or have gaps (past their
review date, a scenario without its baseline or its steps, a critical component
without a scenario, a critical scenario whose last rehearsal failed or is older than
the freshness window).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import User
from apps.projects.models import Phase, Project, Role
from apps.runbooks.models import (
    Outcome,
    Runbook,
    RunbookStatus,
    Scenario,
    Walkthrough,
    WalkthroughKind,
)
from apps.runbooks.services import snapshot
from apps.support.models import Component, ComponentKind, Criticality

# The history's change reason, as the projects app's generator writes it.
CHANGE_REASON = "seed_scale"
MIN_SCENARIOS, MAX_SCENARIOS = 3, 5

# The chance that a transition's runbook has gaps, per phase (as the support model's).
GAP_CHANCE: dict[str, float] = {
    Phase.PLANNING: 0.9,
    Phase.READINESS: 0.6,
    Phase.HYPERCARE: 0.15,
    Phase.BAU: 0.1,
    Phase.CANCELLED: 0.5,
}
GAP_KINDS = ("draft", "stale", "incomplete", "uncovered", "unwalked")
OUTCOMES = (Outcome.WORKED, Outcome.WORKED_WITH_CHANGES, Outcome.FAILED)
# Weights of OUTCOMES, by whether the transition is live (its failures are the gaps).
OUTCOME_WEIGHTS = {True: (3, 2, 0), False: (3, 2, 1)}
TEXT_FIELDS = (
    "symptoms",
    "normal",
    "problem",
    "first_checks",
    "diagnosis",
    "resolution",
    "rollback",
)
# The chance that a scenario of a transition in readiness was already walked through.
READINESS_WALKED = 0.4


@dataclass(frozen=True)
class Template:
    """A scenario for a kind of component; "{name}" is the component's name and
    "{alert}" its name in CamelCase (as alert rules are named)."""

    title: str
    symptoms: str
    normal: str
    problem: str
    first_checks: str
    diagnosis: str
    resolution: str
    rollback: str
    alerts: tuple[str, ...]


TEMPLATES: dict[str, tuple[Template, ...]] = {
    ComponentKind.APPLICATION: (
        Template(
            title="{name} answers 5xx or times out",
            symptoms="- Users see error pages or time-outs.\n- The load balancer answers 502.",
            normal="- p95 response time 150 ms.\n- 5xx under 0.1% of requests.",
            problem="- `{alert}Http5xxHigh`: over 2% 5xx for 5 minutes.\n"
            "- `[CRITICAL] WORKER TIMEOUT` in the log.",
            first_checks="```\nkubectl get pods -l app={slug} -o wide\n```",
            diagnosis="1. Errors since the last deploy?\n2. Is the database answering?",
            resolution="```\nkubectl rollout restart deployment/{slug}\n```",
            rollback="```\nkubectl rollout undo deployment/{slug}\n```",
            alerts=("{alert}Http5xxHigh", "{alert}Down"),
        ),
        Template(
            title="{name} is slow",
            symptoms="- Pages take seconds; users retry and make it worse.",
            normal="- p95 response time 150 ms; 40-60 requests/s at the 9:00 peak.",
            problem="- `{alert}LatencyHigh`: p95 over 1 s for 10 minutes.",
            first_checks="The service's Grafana dashboard: latency, saturation, errors.",
            diagnosis="1. Slow queries in the database?\n2. A noisy neighbour on the node?",
            resolution="```\nkubectl scale deployment/{slug} --replicas=6\n```",
            rollback="Scale back to 3 replicas once p95 is under 300 ms for an hour.",
            alerts=("{alert}LatencyHigh",),
        ),
    ),
    ComponentKind.DATABASE: (
        Template(
            title="{name} unreachable or lagging",
            symptoms="- `could not connect to server` in the application log.",
            normal="- 30-50 connections of 200.\n- Replication lag under 1 s.",
            problem="- `PostgresDown` for 1 minute.\n- `PostgresReplicationLag` over 30 s.",
            first_checks="```\npg_isready -h {slug}-db\n```",
            diagnosis="```\nselect client_addr, state, replay_lag from pg_stat_replication;\n```",
            resolution="Promote the replica: `select pg_promote();` (L3 only).",
            rollback="Rebuild the old primary as a replica before pointing back.",
            alerts=("PostgresDown", "PostgresReplicationLag"),
        ),
    ),
    ComponentKind.BATCH_JOB: (
        Template(
            title="{name} did not run or failed",
            symptoms="- This morning's files are missing or empty.",
            normal="- Starts at 02:00, finishes by 02:40, about 1 GB written.",
            problem="- `{alert}Missed`: no success in 26 hours.",
            first_checks="```\nkubectl get jobs --sort-by=.status.startTime | tail -5\n```",
            diagnosis="Read the last job's log for the first error.",
            resolution="```\nkubectl create job --from=cronjob/{slug} {slug}-manual\n```",
            rollback="Delete the partial output before the rerun.",
            alerts=("{alert}Missed",),
        ),
    ),
    ComponentKind.INFRASTRUCTURE: (
        Template(
            title="{name}: pods cannot be scheduled",
            symptoms="- Pods `Pending` or `Evicted`; fewer replicas than usual.",
            normal="- Every node `Ready`; pods spread over three nodes.",
            problem="- `KubeNodeNotReady`.\n- `KubePodCrashLooping`.",
            first_checks="```\nkubectl get nodes\nkubectl get events | tail -20\n```",
            diagnosis="Insufficient memory, a node being patched, or an image pull error?",
            resolution="Platform Engineering cordons and drains the failing node.",
            rollback="`kubectl uncordon <node>`.",
            alerts=("KubeNodeNotReady", "KubePodCrashLooping"),
        ),
    ),
    ComponentKind.VENDOR_SERVICE: (
        Template(
            title="{name} stops sending data",
            symptoms="- No new records from the vendor since the last hour.",
            normal="- A delivery every 5 minutes; about 2,000 records an hour.",
            problem="- `{alert}Stale`: nothing received for 30 minutes.",
            first_checks="The vendor's status page; our last received timestamp.",
            diagnosis="An API key rotation (401) or an outage on their side (5xx)?",
            resolution="Open a severity 1 case with the vendor and note its number.",
            rollback="",
            alerts=("{alert}Stale",),
        ),
    ),
}


@dataclass
class _Runbook:
    """One transition's rows, linked as objects until they have primary keys."""

    runbook: Runbook
    scenarios: list[Scenario] = field(default_factory=list)
    walkthroughs: list[tuple[Walkthrough, list[User]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Component:
    id: int
    name: str
    kind: str
    critical: bool


def generate(
    projects: Sequence[Project],
    *,
    people: dict[int, list[tuple[User, str]]],
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
) -> list[type[Model]]:
    """Add a runbook to each of `projects` (new, with their support model, without a
    runbook); `people` are each transition's members, (user, role), by project id.

    Returns the models it wrote to (for the planner's statistics).
    """
    components: dict[int, list[_Component]] = defaultdict(list)
    for project_id, pk, name, kind, criticality in (
        Component.objects.filter(project__in=[p.pk for p in projects])
        .order_by("pk")
        .values_list("project", "pk", "name", "kind", "criticality")
    ):
        components[project_id].append(
            _Component(pk, name, kind, criticality == Criticality.CRITICAL)
        )
    fresh_days = int(settings.RUNBOOKS_WALKTHROUGH_DAYS)
    made = [_runbook(p, components[p.pk], people[p.pk], today, fresh_days, rng) for p in projects]
    _insert([m.runbook for m in made], Runbook, now)
    _insert([s for m in made for s in m.scenarios], Scenario, now)
    _insert([w for m in made for w, _ in m.walkthroughs], Walkthrough, now)
    through = Walkthrough.participants.through
    through.objects.bulk_create(
        [
            through(walkthrough_id=w.pk, user_id=user.pk)
            for m in made
            for w, users in m.walkthroughs
            for user in users
        ]
    )
    return [Runbook, Scenario, Walkthrough, through]


def _insert(rows: Sequence[Model], model: type[Model], now: dt.datetime) -> None:
    """Insert `rows` and their "created" history records; the rows get their keys."""
    if rows:
        bulk_create_with_history(rows, model, default_change_reason=CHANGE_REASON, default_date=now)


def _runbook(
    project: Project,
    components: list[_Component],
    members: list[tuple[User, str]],
    today: dt.date,
    fresh_days: int,
    rng: random.Random,
) -> _Runbook:
    """The runbook of one transition, with the gaps its phase tends to have."""
    by_role: dict[str, list[User]] = defaultdict(list)
    for user, role in members:
        by_role[role].append(user)
    ops, contributors = by_role[Role.OPS], by_role[Role.CONTRIBUTOR]
    live = project.phase in (Phase.HYPERCARE, Phase.BAU)
    services = project.service_list()
    service = services[0] if services else project.name
    gaps: set[str] = set()
    if rng.random() < GAP_CHANCE.get(project.phase, 0.5):
        gaps = set(rng.sample(GAP_KINDS, rng.randint(1, 2)))

    # A runbook past its review date was published and then left alone.
    stale = "stale" in gaps
    draft = not stale and (
        "draft" in gaps or (project.phase == Phase.PLANNING and rng.random() < 0.7)
    )
    review_in = -rng.randint(1, 40) if stale else rng.randint(20, 120)
    made = _Runbook(
        Runbook(
            project=project,
            title=f"{service}: on-call runbook",
            # Operations keeps it true once live; the delivery team until then.
            owner=ops[0] if live else contributors[0],
            review_by=today + dt.timedelta(days=review_in),
            status=RunbookStatus.DRAFT if draft else RunbookStatus.PUBLISHED,
            summary=f"How to run {service}: what breaks, what normal looks like, whom to call.",
        )
    )

    # Critical components first (so they are covered), then the others, then a second
    # scenario for the applications.
    ordered = sorted(components, key=lambda c: not c.critical)
    candidates = [(c, TEMPLATES[c.kind][0]) for c in ordered if c.kind in TEMPLATES]
    candidates += [(c, t) for c in ordered if c.kind in TEMPLATES for t in TEMPLATES[c.kind][1:]]
    if "uncovered" in gaps:
        critical = [c for c in ordered if c.critical]
        if critical:
            left_out = rng.choice(critical)
            candidates = [(c, t) for c, t in candidates if c is not left_out]
    chosen = candidates[: rng.randint(MIN_SCENARIOS, MAX_SCENARIOS)]
    for position, (component, template) in enumerate(chosen, start=1):
        made.scenarios.append(_scenario(project, made.runbook, position, component, template))
    if "incomplete" in gaps and made.scenarios:
        scenario = rng.choice(made.scenarios)
        setattr(scenario, rng.choice(("normal", "resolution", "symptoms")), "")

    walked = [
        (s, c)
        for s, (c, _) in zip(made.scenarios, chosen, strict=True)
        if live or (project.phase == Phase.READINESS and rng.random() < READINESS_WALKED)
    ]
    unwalked = None
    if "unwalked" in gaps and live:
        critical_walked = [s for s, c in walked if c.critical]
        unwalked = rng.choice(critical_walked) if critical_walked else None
    for scenario, _ in walked:
        recorder = ops[rng.randrange(len(ops))]
        # Rehearsals before go-live find problems; live ones mostly confirm the steps.
        outcome = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS[live])[0]
        days_ago = rng.randint(1, max(fresh_days - 2, 1))
        if scenario is unwalked:
            if rng.random() < 0.5:
                outcome = Outcome.FAILED
            else:
                days_ago = rng.randint(fresh_days + 5, fresh_days + 90)
        held_on = today - dt.timedelta(days=days_ago)
        walkthrough = Walkthrough(
            project=project,
            scenario=scenario,
            held_on=held_on,
            kind=rng.choice(WalkthroughKind.values),
            outcome=outcome,
            gaps_found=_gaps_found(outcome),
            recorded_by=recorder,
            recorded_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(16))),
            scenario_snapshot=snapshot(scenario),
        )
        participants = list(dict.fromkeys([recorder, *ops, contributors[0]]))
        made.walkthroughs.append((walkthrough, participants))
    return made


def _scenario(
    project: Project, runbook: Runbook, position: int, component: _Component, t: Template
) -> Scenario:
    words = {"name": component.name, "alert": _camel(component.name), "slug": _slug(component)}
    text = {name: getattr(t, name).format(**words) for name in TEXT_FIELDS}
    return Scenario(
        project=project,
        runbook=runbook,
        position=position,
        component_id=component.id,
        title=t.title.format(**words)[:200],
        alert_names="\n".join(a.format(**words) for a in t.alerts),
        **text,
    )


def _gaps_found(outcome: str) -> str:
    if outcome == Outcome.FAILED:
        return "The resolution steps did not bring the service back: the escalation stalled."
    if outcome == Outcome.WORKED_WITH_CHANGES:
        return "A command in the first checks was out of date; corrected on the day."
    return ""


def _camel(name: str) -> str:
    """ "Payments API database" -> "PaymentsApiDatabase" (an alert rule's name)."""
    return "".join(word[:1].upper() + word[1:].lower() for word in name.split() if word.isalnum())


def _slug(component: _Component) -> str:
    return "-".join(word.lower() for word in component.name.split() if word.isalnum())
