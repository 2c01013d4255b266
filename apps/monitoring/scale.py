"""Monitoring at scale: `seed_scale`'s generator for this app (`projects.scale.GENERATORS`).

`generate(projects, people=..., ...)` gives each new transition an alert inventory,
dashboards and an Alertmanager integration with bulk inserts: one read of the
transitions' runbook scenarios and a few INSERT statements per table whatever the
number of transitions (more only where the database caps the parameters of one
statement). It runs after the runbooks generator, whose scenarios name the alerts.

Each transition's inventory is the alerts its scenarios name (critical for the first
alert of a scenario about a critical component, high otherwise), a Watchdog
heartbeat and a medium certificate alert. Verifications are
mostly the webhook's: a firing and a resolved Alertmanager delivery per alert, with
their events normalised by `sources.parse` from the very body kept as evidence, as
`services.receive` records them; some are manual, by an operations member of the
transition. Dashboards are owned and confirmed by the transition's operations
members. How much is proven depends on the phase, as in real portfolios: few
planning alerts are verified, most live ones are, and live transitions still have
the odd gap (a critical alert never verified or verified too long ago, a dashboard
not confirmed, a critical alert added after the runbook that no scenario names, a
silent heartbeat).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import User
from apps.monitoring import sources
from apps.monitoring.demo import GRAFANA, GROUP_WAIT, alertmanager_body
from apps.monitoring.models import (
    MUST_VERIFY,
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Severity,
    Source,
    Verification,
    VerificationKind,
)
from apps.projects.models import Phase, Project, Role
from apps.runbooks.models import Scenario, alert_list
from apps.support.models import Criticality

# The history's change reason, as the projects app's generator writes it.
CHANGE_REASON = "seed_scale"

# The chance that a critical or high alert (or a dashboard) was already proven, per phase.
PROVEN_CHANCE: dict[str, float] = {
    Phase.PLANNING: 0.2,
    Phase.READINESS: 0.6,
    Phase.HYPERCARE: 1.0,
    Phase.BAU: 1.0,
    Phase.CANCELLED: 0.5,
}
LIVE = (Phase.HYPERCARE, Phase.BAU)
# The chance that a live transition still has a gap, and the gaps it may have.
LIVE_GAP_CHANCE = 0.2
GAP_KINDS = ("unverified", "stale", "unconfirmed", "uncovered", "silent")
MANUAL_CHANCE = 0.2  # of a verification: recorded by hand rather than by the webhook
MEDIUM_VERIFIED_CHANCE = 0.5


@dataclass
class _Monitoring:
    """One transition's rows, linked as objects until they have primary keys."""

    integration: Integration
    alerts: list[Alert] = field(default_factory=list)
    dashboards: list[Dashboard] = field(default_factory=list)
    checks: list[DashboardCheck] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)


def generate(
    projects: Sequence[Project],
    *,
    people: dict[int, list[tuple[User, str]]],
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
) -> list[type[Model]]:
    """Add monitoring to each of `projects` (new, with their runbooks, without
    monitoring); `people` are each transition's members, (user, role), by project id.

    Returns the models it wrote to (for the planner's statistics).
    """
    named: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for project_id, text, criticality in (
        Scenario.objects.filter(project__in=[p.pk for p in projects])
        .order_by("pk")
        .values_list("project", "alert_names", "component__criticality")
    ):
        for position, name in enumerate(alert_list(text)):
            named[project_id].append((name, position == 0 and criticality == Criticality.CRITICAL))
    fresh_days = int(settings.MONITORING_VERIFICATION_DAYS)
    made = [_monitoring(p, named[p.pk], people[p.pk], now, fresh_days, rng) for p in projects]
    _insert([m.integration for m in made], Integration, now)
    _insert([a for m in made for a in m.alerts], Alert, now)
    _insert([d for m in made for d in m.dashboards], Dashboard, now)
    DashboardCheck.objects.bulk_create([c for m in made for c in m.checks])
    Delivery.objects.bulk_create([d for m in made for d in m.deliveries])
    AlertEvent.objects.bulk_create([e for m in made for e in m.events])
    Verification.objects.bulk_create([v for m in made for v in m.verifications])
    return [Integration, Alert, Dashboard, DashboardCheck, Delivery, AlertEvent, Verification]


def _insert(rows: Sequence[Model], model: type[Model], now: dt.datetime) -> None:
    """Insert `rows` and their "created" history records; the rows get their keys."""
    if rows:
        bulk_create_with_history(rows, model, default_change_reason=CHANGE_REASON, default_date=now)


def _monitoring(
    project: Project,
    named: list[tuple[str, bool]],
    members: list[tuple[User, str]],
    now: dt.datetime,
    fresh_days: int,
    rng: random.Random,
) -> _Monitoring:
    """The monitoring of one transition, with the gaps its phase tends to have."""
    ops = [user for user, role in members if role == Role.OPS]
    live = project.phase in LIVE
    services = project.service_list()
    service = services[0] if services else project.name
    slug = _slug(service)
    gaps: set[str] = set()
    if live and rng.random() < LIVE_GAP_CHANCE:
        gaps = set(rng.sample(GAP_KINDS, rng.randint(1, 2)))
    proven = PROVEN_CHANCE.get(project.phase, 0.5)
    made = _Monitoring(
        Integration(project=project, name="Production Alertmanager", source=Source.ALERTMANAGER)
    )

    severities: dict[str, str] = {}
    for name, critical in named:
        if name not in severities or critical:
            severities[name] = Severity.CRITICAL if critical else Severity.HIGH
    camel = _camel(service)
    for name, severity in severities.items():
        made.alerts.append(_alert(project, name, severity, f"service={slug}"))
    if "uncovered" in gaps:  # a critical alert added after the runbook was written
        made.alerts.append(
            _alert(project, f"{camel}SloBurnRateHigh", Severity.CRITICAL, f"service={slug}")
        )
    made.alerts.append(
        _alert(project, f"{camel}CertificateExpiringSoon", Severity.MEDIUM, f"service={slug}")
    )
    heartbeat = _alert(project, "Watchdog", Severity.LOW, "")
    heartbeat.is_heartbeat = True
    made.alerts.append(heartbeat)

    must = [a for a in made.alerts if a.severity in MUST_VERIFY]
    unverified = rng.choice(must) if "unverified" in gaps and must else None
    stale = rng.choice(must) if "stale" in gaps and must else None
    for alert in must:
        if alert is unverified or rng.random() >= proven:
            continue
        days_ago = rng.randint(fresh_days + 5, fresh_days + 60) if alert is stale else None
        _verify(made, alert, slug, ops, now, fresh_days, rng, days_ago=days_ago)
    medium = [a for a in made.alerts if a.severity == Severity.MEDIUM]
    for alert in medium:
        if live and rng.random() < MEDIUM_VERIFIED_CHANCE:
            _verify(made, alert, slug, ops, now, fresh_days, rng)
    if live or rng.random() < proven:
        _heartbeat(made, heartbeat, now, silent="silent" in gaps, rng=rng)

    owner = ops[0]
    for title, path, shows in (
        (f"{service} overview", f"/d/{slug}/{slug}", "Requests, errors, latency, saturation."),
        (f"{service} database", f"/d/{slug}-db/{slug}-db", "Connections, replication lag, disk."),
    ):
        made.dashboards.append(
            Dashboard(
                project=project, title=title, url=f"{GRAFANA}{path}", owner=owner, shows=shows
            )
        )
    unconfirmed = rng.choice(made.dashboards) if "unconfirmed" in gaps else None
    for dashboard in made.dashboards:
        if dashboard is unconfirmed or rng.random() >= proven:
            continue
        made.checks.append(
            DashboardCheck(
                project=project,
                dashboard=dashboard,
                checked_by=rng.choice(ops),
                checked_at=now - dt.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8)),
                url=dashboard.url,
                note="Seen live with real traffic.",
            )
        )
    if made.deliveries:
        made.integration.last_delivery_at = max(e.last_received_at for e in made.events)
    return made


def _alert(project: Project, name: str, severity: str, matchers: str) -> Alert:
    return Alert(
        project=project,
        name=name,
        matchers=matchers,
        severity=severity,
        source=Source.ALERTMANAGER,
        description=f"{name}: see the runbook scenario that names it.",
    )


def _verify(
    made: _Monitoring,
    alert: Alert,
    slug: str,
    ops: list[User],
    now: dt.datetime,
    fresh_days: int,
    rng: random.Random,
    *,
    days_ago: int | None = None,
) -> None:
    """A verification of `alert`: a firing and a resolved delivery through the webhook,
    or, now and then, a manual one by an operations member."""
    days = days_ago if days_ago is not None else rng.randint(1, max(fresh_days - 2, 1))
    starts = now - dt.timedelta(days=days, minutes=rng.randint(0, 600))
    ends = starts + dt.timedelta(minutes=rng.randint(2, 30))
    if rng.random() < MANUAL_CHANCE:
        made.verifications.append(
            Verification(
                project=alert.project,
                alert=alert,
                kind=VerificationKind.MANUAL,
                verified_at=ends,
                alert_name=alert.name,
                alert_matchers=alert.matchers,
                verified_by=rng.choice(ops),
                evidence="Seen firing and resolving in the on-call channel during a drill.",
            )
        )
        return
    labels = {"alertname": alert.name, "service": slug, "severity": alert.severity}
    firing = _received(made, labels, starts, None, received=starts + GROUP_WAIT)
    resolved = _received(made, labels, starts, ends, received=ends + GROUP_WAIT)
    made.verifications.append(
        Verification(
            project=alert.project,
            alert=alert,
            kind=VerificationKind.WEBHOOK,
            verified_at=resolved.received_at,
            alert_name=alert.name,
            alert_matchers=alert.matchers,
            firing_event=firing,
            resolved_event=resolved,
        )
    )


def _heartbeat(
    made: _Monitoring, alert: Alert, now: dt.datetime, *, silent: bool, rng: random.Random
) -> None:
    """The Watchdog, firing since go-live (or a month), last re-sent a minute ago, or
    hours ago when the pipeline is silent."""
    labels = {"alertname": alert.name, "severity": "none"}
    starts = now - dt.timedelta(days=rng.randint(10, 30))
    event = _received(made, labels, starts, None, received=starts + GROUP_WAIT)
    ago = dt.timedelta(hours=rng.randint(2, 48)) if silent else dt.timedelta(minutes=1)
    event.last_received_at = now - ago


def _received(
    made: _Monitoring,
    labels: dict[str, str],
    starts: dt.datetime,
    ends: dt.datetime | None,
    *,
    received: dt.datetime,
) -> AlertEvent:
    """The delivery of one Alertmanager body and its event, as the webhook records it."""
    body = alertmanager_body(
        labels=labels, summary=f"{labels['alertname']} test", starts_at=starts, ends_at=ends
    )
    (note,) = sources.parse(Source.ALERTMANAGER, body).notifications
    project, integration = made.integration.project, made.integration
    delivery = Delivery(
        project=project,
        integration=integration,
        source=integration.source,
        received_at=received,
        body=body.decode(),
    )
    event = AlertEvent(
        project=project,
        integration=integration,
        delivery=delivery,
        source=integration.source,
        alert_key=note.alert_key,
        labels=note.labels,
        state=note.state,
        dedup_key=note.dedup_key,
        episode=note.episode,
        started_at=note.started_at,
        ended_at=note.ended_at,
        received_at=received,
        last_received_at=received,
    )
    made.deliveries.append(delivery)
    made.events.append(event)
    return event


def _camel(name: str) -> str:
    """ "Payments API" -> "PaymentsApi" (an alert rule's name)."""
    return "".join(word[:1].upper() + word[1:].lower() for word in name.split() if word.isalnum())


def _slug(name: str) -> str:
    return "-".join(word.lower() for word in name.split() if word.isalnum())
