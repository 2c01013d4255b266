"""The "Monitoring" go-live gate: can operations see what is happening, proven?

`evaluate(facts, now=..., fresh_days=..., silent_minutes=...)` is a pure rule over
plain facts; the findings, in order:
- no alert in the inventory (blocking); no dashboard (blocking);
- a critical or high alert never verified, or verified only for an earlier
  definition (renamed or re-matched since) (blocking);
- a critical or high alert whose last verification is older than `fresh_days`:
  stale (blocking);
- a critical alert no runbook scenario names (blocking);
- a dashboard nobody confirmed live at its current address (blocking);
- a medium or low alert never verified (advisory);
- the heartbeat is none of these: it fires for ever and proves itself by arriving;
- during hypercare, the heartbeat alert not received for `silent_minutes`: the
  monitoring pipeline is silent (advisory: it does not gate go-live, it says the
  pipeline itself is broken).

`facts_for_many(project_ids, now=...)` reads any number of transitions in four
queries, so `assess` (one transition, on every write) and `assess_many` (seed_scale)
share it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.readiness import Finding, GateResult, percent
from apps.monitoring.models import (
    MUST_VERIFY,
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Severity,
    State,
)
from apps.projects.models import Phase, Project
from apps.runbooks.models import Scenario, alert_list

KEY = "monitoring"
TITLE = "Monitoring"
# How the finding of a silent heartbeat starts (services.heartbeats_check looks for it).
SILENT = "Monitoring pipeline silent"


@dataclass(frozen=True)
class AlertFact:
    id: int
    label: str  # the name, with its matchers when it has any
    name: str
    severity: str
    verified_at: dt.datetime | None = None  # the last verification of this definition
    verified_before: bool = False  # verified, but only for an earlier definition
    is_heartbeat: bool = False


@dataclass(frozen=True)
class DashboardFact:
    id: int
    title: str
    confirmed: bool  # confirmed live at its current address


@dataclass(frozen=True)
class MonitoringFacts:
    alerts: Sequence[AlertFact] = ()
    dashboards: Sequence[DashboardFact] = ()
    scenario_alerts: frozenset[str] = frozenset()  # the alert names runbook scenarios name
    in_hypercare: bool = False
    # The heartbeat's last notification (None: never received).
    heartbeat_seen_at: dt.datetime | None = None


def evaluate(
    facts: MonitoringFacts,
    *,
    now: dt.datetime,
    fresh_days: int,
    silent_minutes: int,
    urls: Urls | None = None,
) -> GateResult:
    urls = urls or Urls(0)
    findings: list[Finding] = []
    if not facts.alerts:
        findings.append(
            Finding(
                "No alert is in the inventory: nothing says what operations will be told.",
                urls.alerts(),
            )
        )
    if not facts.dashboards:
        findings.append(
            Finding("No dashboard is listed for operations to watch.", urls.dashboards())
        )
    must = [a for a in facts.alerts if a.severity in MUST_VERIFY and not a.is_heartbeat]
    since = now - dt.timedelta(days=fresh_days)
    for alert in must:
        severity = Severity(alert.severity).label
        if alert.verified_at is None:
            why = (
                "was verified before it was last changed, not since"
                if alert.verified_before
                else "has not been seen firing and resolving"
            )
            findings.append(
                Finding(
                    f"{severity} alert {alert.label} {why}: send a test alert through the "
                    "webhook, or record a manual verification.",
                    urls.alert(alert.id),
                )
            )
        elif alert.verified_at < since:
            findings.append(
                Finding(
                    f"{severity} alert {alert.label} was last verified on "
                    f"{timezone.localtime(alert.verified_at):%-d %b %Y}, more than "
                    f"{fresh_days} days ago: verify it again.",
                    urls.alert(alert.id),
                )
            )
    critical = [a for a in facts.alerts if a.severity == Severity.CRITICAL]
    for alert in critical:
        if alert.name not in facts.scenario_alerts:
            findings.append(
                Finding(
                    f"Critical alert {alert.label} sends the engineer to no runbook scenario: "
                    "name it in a scenario's alerts.",
                    urls.runbooks(),
                )
            )
    for dashboard in facts.dashboards:
        if not dashboard.confirmed:
            findings.append(
                Finding(
                    f"Dashboard “{dashboard.title}” has not been confirmed live at its "
                    "current address.",
                    urls.dashboard(dashboard.id),
                )
            )
    for alert in facts.alerts:
        # A heartbeat fires for ever: it proves itself by arriving, not by resolving.
        if alert.is_heartbeat:
            continue
        if alert.severity not in MUST_VERIFY and alert.verified_at is None:
            findings.append(
                Finding(
                    f"{Severity(alert.severity).label} alert {alert.label} has not been verified.",
                    urls.alert(alert.id),
                    blocking=False,
                )
            )
    heartbeat = next((a for a in facts.alerts if a.is_heartbeat), None)
    if facts.in_hypercare and heartbeat is not None:
        seen = facts.heartbeat_seen_at
        if seen is None or seen < now - dt.timedelta(minutes=silent_minutes):
            when = (
                "has never arrived"
                if seen is None
                else f"last arrived at {timezone.localtime(seen):%-d %b %Y %H:%M}"
            )
            findings.append(
                Finding(
                    f"{SILENT}: the heartbeat {heartbeat.name} {when} "
                    f"(expected at least every {silent_minutes} minutes).",
                    urls.alert(heartbeat.id),
                    blocking=False,
                )
            )
    checks = 2 + len(must) + len(critical) + len(facts.dashboards)
    failed = sum(1 for f in findings if f.blocking)
    return GateResult(
        key=KEY,
        title=TITLE,
        passed=failed == 0,
        score=percent(max(checks - failed, 0), checks),
        findings=tuple(findings),
    )


class Urls:
    """Where each finding is fixed; reversed once per transition."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self._alerts = reverse("monitoring:alerts", args=[project_id]) if project_id else ""

    def alerts(self) -> str:
        return self._alerts

    def alert(self, alert_id: int) -> str:
        return f"{self._alerts}#alert-{alert_id}" if self.project_id else ""

    def dashboards(self) -> str:
        return f"{self._alerts}#dashboards" if self.project_id else ""

    def dashboard(self, dashboard_id: int) -> str:
        return f"{self._alerts}#dashboard-{dashboard_id}" if self.project_id else ""

    def runbooks(self) -> str:
        return reverse("runbooks:list", args=[self.project_id]) if self.project_id else ""


def facts_for_many(projects: Iterable[Project]) -> dict[int, MonitoringFacts]:
    """The facts of each transition in four queries whatever their number (five when one
    is in hypercare)."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    same_definition = Q(
        verifications__alert_name=F("name"), verifications__alert_matchers=F("matchers")
    )
    alerts: dict[int, list[AlertFact]] = defaultdict(list)
    heartbeats: dict[int, str] = {}
    rows = (
        Alert.objects.filter(project__in=ids)
        .annotate(
            verified_at=Max("verifications__verified_at", filter=same_definition),
            verified_any=Max("verifications__verified_at"),
        )
        .order_by("name", "matchers", "pk")
    )
    for alert in rows:
        alerts[alert.project_id].append(
            AlertFact(
                id=alert.pk,
                label=str(alert),
                name=alert.name,
                severity=alert.severity,
                verified_at=alert.verified_at,
                verified_before=alert.verified_any is not None,
                is_heartbeat=alert.is_heartbeat,
            )
        )
        if alert.is_heartbeat:
            heartbeats[alert.project_id] = alert.name
    confirmed = DashboardCheck.objects.filter(dashboard=OuterRef("pk"), url=OuterRef("url"))
    dashboards: dict[int, list[DashboardFact]] = defaultdict(list)
    for pid, did, title, ok in (
        Dashboard.objects.filter(project__in=ids)
        .annotate(confirmed=Exists(confirmed))
        .values_list("project", "pk", "title", "confirmed")
    ):
        dashboards[pid].append(DashboardFact(did, title, ok))
    named: dict[int, set[str]] = defaultdict(set)
    for pid, text in Scenario.objects.filter(project__in=ids).values_list("project", "alert_names"):
        named[pid].update(alert_list(text))
    in_hypercare = {p.pk for p in projects if p.phase == Phase.HYPERCARE}
    seen: dict[int, dt.datetime] = {}
    watched = {pid: name for pid, name in heartbeats.items() if pid in in_hypercare}
    if watched:
        for pid, key, last in (
            # Firing only: Alertmanager sends the Watchdog resolved when Prometheus dies.
            AlertEvent.objects.filter(
                project__in=watched, alert_key__in=set(watched.values()), state=State.FIRING
            )
            .values_list("project", "alert_key")
            .annotate(last=Max("last_received_at"))
            .order_by()
        ):
            if watched[pid] == key:
                seen[pid] = last
    return {
        pid: MonitoringFacts(
            alerts=alerts[pid],
            dashboards=dashboards[pid],
            scenario_alerts=frozenset(named[pid]),
            in_hypercare=pid in in_hypercare,
            heartbeat_seen_at=seen.get(pid),
        )
        for pid in ids
    }


def fresh_days() -> int:
    return int(settings.MONITORING_VERIFICATION_DAYS)


def silent_minutes() -> int:
    return int(settings.MONITORING_HEARTBEAT_MINUTES)


def assess(project: Project, *, today: dt.date) -> GateResult:
    return assess_many([project], today=today)[project.pk]


def assess_many(projects: Sequence[Project], *, today: dt.date) -> dict[int, GateResult]:
    facts = facts_for_many(projects)
    now = timezone.now()
    days, minutes = fresh_days(), silent_minutes()
    return {
        pid: evaluate(f, now=now, fresh_days=days, silent_minutes=minutes, urls=Urls(pid))
        for pid, f in facts.items()
    }
