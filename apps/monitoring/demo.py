"""Demo monitoring: one inventory per demo transition, each in a different state.

- Identity provider migration (hypercare): the "Monitoring" gate passes. Production
  Alertmanager sends to the transition's webhook; every critical and high alert of
  the inventory (named as the runbook's scenarios name them) was seen firing and
  resolving there: in the fire-and-resolve drill the day before go-live, in the
  database failover game day, in a real replication-lag incident during hypercare.
  The Watchdog heartbeat keeps arriving (it resolved once, when Prometheus was down
  during a cluster upgrade, and fired again when it came back). A `DiskFull` of
  another team's backup host arrived too, an alert the inventory does not list.
  Both dashboards were confirmed live by operations. The medium alert was never
  seen: advisory only.
- Transition itself (readiness): a Grafana integration set up but not used yet; the
  critical 5xx alert verified by hand in staging, the worker-heartbeat alert (high)
  not verified (its exporter is not deployed: a blocked task of the transition), and
  the Celery dashboard not confirmed. The gate lists exactly those two.
- Customer notifications (planning): one alert, no integration, no dashboard.

`seed(today=..., password=...)` runs after the runbooks seeder, whose scenarios name
the alerts. It writes through `services` like real use: the delivery engineer lists
the alerts, the dashboards and the integration; the notifications arrive through
`services.receive` as Alertmanager's webhook bodies (version 4), so the matching,
the deduplication and the verifications are the webhook's own; operations confirms
the dashboards and records the manual verification. Times are relative to `today`
(the heartbeat's last delivery is the moment of seeding, as it arrives every
minute). Idempotent: a transition that already has an alert, a dashboard or an
integration (a demo user may have edited them) is left as it is, and so is a
closed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.accounts.models import User
from apps.core.text import plural
from apps.monitoring import readiness, services, sources
from apps.monitoring.models import Alert, Dashboard, Integration, Severity, Source
from apps.projects.models import Project
from apps.runbooks import demo as runbooks_demo
from apps.support import demo as support_demo
from apps.support.models import Component

GRAFANA = "https://grafana.example.com"
ALERTMANAGER = "https://alertmanager.example.com"
# Go's zero time: what Alertmanager writes as the end of an alert still firing.
NOT_ENDED = "0001-01-01T00:00:00Z"
# Alertmanager waits this long before it sends a new group (its group_wait).
GROUP_WAIT = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class AlertPlan:
    name: str
    severity: str
    component: str = ""  # the name of a component of the transition's support model
    matchers: tuple[str, ...] = ()
    source: str = ""
    description: str = ""
    is_heartbeat: bool = False


@dataclass(frozen=True)
class Episode:
    """One firing of an alert, as it reached the transition's webhook: firing at
    `at` `days_ago` days before today, resolved `lasted` later (None: still firing,
    re-sent until now)."""

    labels: Mapping[str, str]  # alertname included
    summary: str
    days_ago: int
    at: dt.time
    lasted: dt.timedelta | None


@dataclass(frozen=True)
class DashboardPlan:
    title: str
    path: str  # on the Grafana host
    owner: str  # persona key
    shows: str
    confirmed_by: str = ""  # persona key; blank: not confirmed
    confirmed_days_ago: int = 0
    note: str = ""


@dataclass(frozen=True)
class ManualVerification:
    alert: str
    by: str  # persona key of the operations member who records it
    days_ago: int
    at: dt.time
    evidence: str
    evidence_url: str = ""


@dataclass(frozen=True)
class TransitionMonitoring:
    transition: str  # the demo transition's name
    author: str  # persona key of who lists the alerts, dashboards and integration
    alerts: tuple[AlertPlan, ...]
    dashboards: tuple[DashboardPlan, ...] = ()
    integration: tuple[str, str] | None = None  # (name, source)
    episodes: tuple[Episode, ...] = ()
    verifications: tuple[ManualVerification, ...] = ()


def alertmanager_body(
    *, labels: Mapping[str, str], summary: str, starts_at: dt.datetime, ends_at: dt.datetime | None
) -> bytes:
    """The webhook body (version 4) Alertmanager sends for a group of one alert: firing
    while `ends_at` is None, resolved after."""
    status = "firing" if ends_at is None else "resolved"
    alert = {
        "status": status,
        "labels": dict(labels),
        "annotations": {"summary": summary},
        "startsAt": _rfc3339(starts_at),
        "endsAt": NOT_ENDED if ends_at is None else _rfc3339(ends_at),
        "generatorURL": f"https://prometheus.example.com/graph?g0.expr={labels['alertname']}",
        "fingerprint": fingerprint(labels),
    }
    group = {"alertname": labels["alertname"]}
    body = {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{labels["alertname"]}"}}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "transition",
        "groupLabels": group,
        "commonLabels": dict(labels),
        "commonAnnotations": {"summary": summary},
        "externalURL": ALERTMANAGER,
        "alerts": [alert],
    }
    return json.dumps(body).encode()


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable 16-hex-digit fingerprint of the label set (Alertmanager hashes the
    sorted labels the same way, with FNV-64 rather than SHA-256)."""
    text = "\xff".join(f"{k}\xff{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# (a) Identity provider: proven through the webhook ----------------------------------

KEYCLOAK = {"namespace": "keycloak", "service": "keycloak"}

IDENTITY = TransitionMonitoring(
    transition=support_demo.IDENTITY.transition,
    author="contributor",
    integration=("Production Alertmanager", Source.ALERTMANAGER),
    alerts=(
        AlertPlan(
            "Watchdog",
            Severity.LOW,
            source=Source.ALERTMANAGER,
            description="Always firing: proves that Prometheus, Alertmanager and this "
            "webhook work end to end. When it stops arriving, the pipeline is broken.",
            is_heartbeat=True,
        ),
        AlertPlan(
            "KeycloakDown",
            Severity.CRITICAL,
            support_demo.KEYCLOAK,
            ("namespace=keycloak",),
            Source.ALERTMANAGER,
            "Fewer than 2 of 3 Keycloak pods answer /health/ready for 2 minutes: staff "
            "cannot sign in (P1).",
        ),
        AlertPlan(
            "KeycloakPodsUnavailable",
            Severity.HIGH,
            support_demo.KUBERNETES,
            ("namespace=keycloak",),
            Source.ALERTMANAGER,
            "Fewer than 3 ready Keycloak pods for 10 minutes: one more failure and logins stop.",
        ),
        AlertPlan(
            "PostgresDown",
            Severity.CRITICAL,
            support_demo.KEYCLOAK_DB,
            ("namespace=keycloak",),
            Source.ALERTMANAGER,
            "The Keycloak database primary does not answer for 1 minute (P1).",
        ),
        AlertPlan(
            "PostgresReplicationLag",
            Severity.HIGH,
            support_demo.KEYCLOAK_DB,
            ("namespace=keycloak",),
            Source.ALERTMANAGER,
            "The replica is more than 30 s behind for 5 minutes: a failover would lose "
            "the latest sessions.",
        ),
        AlertPlan(
            "TextwaveDeliveryRateLow",
            Severity.MEDIUM,
            support_demo.SMS_OTP,
            source=Source.ALERTMANAGER,
            description="Fewer than 90% of SMS passcodes delivered within 60 s over 15 minutes.",
        ),
    ),
    episodes=(
        # Production Alertmanager pointed at the webhook during the rehearsals.
        Episode(
            {"alertname": "Watchdog", "prometheus": "monitoring/k8s", "severity": "none"},
            "An alert that should always be firing, to prove the pipeline works.",
            16,
            dt.time(10, 0),
            lasted=dt.timedelta(days=9, hours=20, minutes=20),  # 6 days ago, 06:20
        ),
        # The database failover game day: the primary was stopped on purpose.
        Episode(
            {
                **KEYCLOAK,
                "alertname": "PostgresDown",
                "instance": "keycloak-db-0:9187",
                "severity": "critical",
            },
            "PostgreSQL primary keycloak-db-0 is down.",
            12,
            dt.time(14, 3),
            lasted=dt.timedelta(minutes=4, seconds=10),
        ),
        # The fire-and-resolve drill the day before go-live: scaled down to one pod.
        Episode(
            {**KEYCLOAK, "alertname": "KeycloakDown", "severity": "critical"},
            "Only 1 of 3 Keycloak pods is ready.",
            10,
            dt.time(7, 12),
            lasted=dt.timedelta(minutes=14),
        ),
        Episode(
            {**KEYCLOAK, "alertname": "KeycloakPodsUnavailable", "severity": "warning"},
            "2 of 3 Keycloak pods are not ready.",
            10,
            dt.time(7, 20),
            lasted=dt.timedelta(minutes=7),
        ),
        # Prometheus was down for the cluster upgrade: the Watchdog fired again after it.
        Episode(
            {"alertname": "Watchdog", "prometheus": "monitoring/k8s", "severity": "none"},
            "An alert that should always be firing, to prove the pipeline works.",
            6,
            dt.time(6, 29),
            lasted=None,
        ),
        # A real incident in hypercare: a vacuum of the sessions table after the export.
        Episode(
            {
                **KEYCLOAK,
                "alertname": "PostgresReplicationLag",
                "instance": "keycloak-db-1:9187",
                "severity": "warning",
            },
            "Replica keycloak-db-1 is 48 s behind the primary.",
            4,
            dt.time(2, 35),
            lasted=dt.timedelta(minutes=22),
        ),
        # Another team's alert, routed to this receiver by a too-wide route.
        Episode(
            {
                "alertname": "DiskFull",
                "instance": "backup-01:9100",
                "mountpoint": "/var/backups",
                "severity": "warning",
            },
            "/var/backups on backup-01 is 93% full.",
            2,
            dt.time(3, 10),
            lasted=None,
        ),
    ),
    dashboards=(
        DashboardPlan(
            "Keycloak overview",
            "/d/keycloak-overview/keycloak-overview",
            "opslead",
            "Logins per minute, p95 login latency, 5xx rate, pods ready, JVM heap per pod.",
            confirmed_by="ops",
            confirmed_days_ago=8,
            note="On the service desk's wall screen; the 9:00 peak showed 52 logins/min.",
        ),
        DashboardPlan(
            "PostgreSQL - keycloak",
            "/d/postgres-keycloak/postgresql-keycloak",
            "opslead",
            "Connections in use, transactions per second, replication lag, data volume disk.",
            confirmed_by="ops",
            confirmed_days_ago=8,
            note="Replication lag 120 ms, 38 connections of 200.",
        ),
    ),
)

# (b) Transition itself: a manual verification, and two gaps ---------------------------

TRANSITION_ITSELF = TransitionMonitoring(
    transition=support_demo.TRANSITION_ITSELF.transition,
    author="contributor",
    integration=("Grafana alerting", Source.GRAFANA),
    alerts=(
        AlertPlan(
            "TransitionHttp5xxHigh",
            Severity.CRITICAL,
            support_demo.WEB,
            ("service=transition",),
            Source.GRAFANA,
            "More than 2% of requests answer 5xx for 5 minutes.",
        ),
        AlertPlan(
            "TransitionWorkerHeartbeatStale",
            Severity.HIGH,
            support_demo.WORKER,
            ("service=transition",),
            Source.GRAFANA,
            "No Celery worker answered for 10 minutes: digests and evaluations stop.",
        ),
        AlertPlan(
            "CeleryQueueBacklog",
            Severity.MEDIUM,
            support_demo.WORKER,
            ("service=transition",),
            Source.GRAFANA,
            "More than 500 tasks waiting in the default queue for 15 minutes.",
        ),
    ),
    verifications=(
        ManualVerification(
            "TransitionHttp5xxHigh",
            "ops",
            6,
            dt.time(14, 20),
            "Stopped gunicorn on staging web-1 at 14:02: TransitionHttp5xxHigh fired in "
            "Grafana at 14:05 and reached #platform-ops; it resolved at 14:11 after the "
            "restart. Grafana's contact point did not send to Transition yet.",
            f"{GRAFANA}/alerting/grafana/transition-5xx/view",
        ),
    ),
    dashboards=(
        DashboardPlan(
            "Transition: web",
            "/d/transition-web/transition-web",
            "opslead",
            "Requests per second, p95 response time, 5xx rate, /healthz.",
            confirmed_by="ops",
            confirmed_days_ago=5,
            note="Seen live during the walkthrough of the 5xx scenario.",
        ),
        # Waits for the Redis exporter (a blocked task of the transition).
        DashboardPlan(
            "Transition: Celery and Redis",
            "/d/transition-celery/transition-celery",
            "opslead",
            "Queue length, task rate and failures, worker heartbeats, Redis memory.",
        ),
    ),
)

# (c) Customer notifications: barely started ----------------------------------------------

NOTIFICATIONS = TransitionMonitoring(
    transition=support_demo.NOTIFICATIONS.transition,
    author="contributor",
    alerts=(
        AlertPlan(
            "NotificationsSmsRejected",
            Severity.HIGH,
            runbooks_demo.SMS_PROVIDER,
            description="More than 2% of SMS requests rejected by the provider over 10 minutes.",
        ),
    ),
)

PLANS = (IDENTITY, TRANSITION_ITSELF, NOTIFICATIONS)


def seed(*, today: dt.date, password: str) -> list[str]:
    """Write the monitoring of each demo transition that has none; returns one line each.

    `password` is the accounts seeder's (every seeder takes the same arguments).
    """
    people = accounts_demo.people()
    lines = []
    for plan in PLANS:
        project = Project.objects.filter(name=plan.transition).first()
        if project is None:
            lines.append(f"  {plan.transition:<64} not found: skipped")
            continue
        if has_monitoring_data(project):
            state = "already there"
        elif project.is_closed:
            state = f"{project.get_phase_display()}: left as it is"
        else:
            ensure_monitoring(project, plan, people, today=today, now=timezone.now())
            state = "created"
        lines.append(f"  {project.name:<64} {describe(project, today=today)}  ({state})")
    return lines


def has_monitoring_data(project: Project) -> bool:
    return any(
        model.objects.filter(project=project).exists() for model in (Alert, Dashboard, Integration)
    )


def describe(project: Project, *, today: dt.date) -> str:
    """ "6 alerts (5 verified), 2 dashboards (2 confirmed), 1 integration: gate passes"."""
    facts = readiness.facts_for_many([project])[project.pk]
    verified = sum(1 for a in facts.alerts if a.verified_at is not None)
    confirmed = sum(1 for d in facts.dashboards if d.confirmed)
    integrations = Integration.objects.filter(project=project).count()
    result = readiness.assess(project, today=today)
    blocking = len(result.blocking)
    verdict = (
        "gate passes"
        if result.passed
        else plural(blocking, "blocking finding", "blocking findings")
    )
    return (
        f"{plural(len(facts.alerts), 'alert', 'alerts')} ({verified} verified), "
        f"{plural(len(facts.dashboards), 'dashboard', 'dashboards')} ({confirmed} confirmed), "
        f"{plural(integrations, 'integration', 'integrations')}: {verdict}"
    )


def ensure_monitoring(
    project: Project,
    plan: TransitionMonitoring,
    people: dict[str, User],
    *,
    today: dt.date,
    now: dt.datetime,
) -> None:
    """Write `plan` into `project`, which has no monitoring yet: the author lists the
    alerts, dashboards and integration; the notifications arrive on the webhook;
    operations confirms the dashboards and records the manual verifications."""
    author = people[plan.author]
    components = {c.name: c for c in Component.objects.filter(project=project)}
    for ap in plan.alerts:
        services.alert_save(
            alert=Alert(
                project=project,
                name=ap.name,
                matchers="\n".join(ap.matchers),
                severity=ap.severity,
                component=components.get(ap.component),
                source=ap.source,
                description=ap.description,
                is_heartbeat=ap.is_heartbeat,
            ),
            by=author,
        )
    dashboards = [
        services.dashboard_save(
            dashboard=Dashboard(
                project=project,
                title=dp.title,
                url=f"{GRAFANA}{dp.path}",
                owner=people[dp.owner],
                shows=dp.shows,
            ),
            by=author,
        )
        for dp in plan.dashboards
    ]
    if plan.integration is not None:
        name, source = plan.integration
        integration = services.integration_save(
            integration=Integration(project=project, name=name, source=source), by=author
        )
        for moment, body in _deliveries(plan.episodes, today=today, now=now):
            parsed = sources.parse(integration.source, body)
            services.receive(integration=integration, parsed=parsed, body=body.decode(), now=moment)
    for dashboard, dp in zip(dashboards, plan.dashboards, strict=True):
        if dp.confirmed_by:
            services.dashboard_confirm(
                dashboard=dashboard,
                by=people[dp.confirmed_by],
                now=_at(today, dp.confirmed_days_ago, dt.time(9, 40)),
                note=dp.note,
            )
    alerts = {a.name: a for a in Alert.objects.filter(project=project)}
    for mv in plan.verifications:
        services.verification_record(
            alert=alerts[mv.alert],
            by=people[mv.by],
            evidence=mv.evidence,
            evidence_url=mv.evidence_url,
            now=_at(today, mv.days_ago, mv.at),
        )


def _deliveries(
    episodes: tuple[Episode, ...], *, today: dt.date, now: dt.datetime
) -> list[tuple[dt.datetime, bytes]]:
    """(when received, body) of every webhook request of the episodes, oldest first: a
    firing body when each starts, a resolved one when it ends, and, for one still
    firing, the firing body again now (Alertmanager repeats it on its interval)."""
    found = []
    for ep in episodes:
        starts = _at(today, ep.days_ago, ep.at)
        firing = alertmanager_body(
            labels=ep.labels, summary=ep.summary, starts_at=starts, ends_at=None
        )
        found.append((starts + GROUP_WAIT, firing))
        if ep.lasted is None:
            found.append((now, firing))
            continue
        ends = starts + ep.lasted
        resolved = alertmanager_body(
            labels=ep.labels, summary=ep.summary, starts_at=starts, ends_at=ends
        )
        found.append((ends + GROUP_WAIT, resolved))
    return sorted(found, key=lambda pair: pair[0])


def _at(today: dt.date, days_ago: int, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), time))
