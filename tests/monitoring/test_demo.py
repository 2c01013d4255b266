"""The demo's monitoring: three transitions, three states, proven through the webhook
where it says so, and a second run that changes nothing."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.monitoring import demo, readiness, sources
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Severity,
    Source,
    State,
    Verification,
    VerificationKind,
)
from apps.projects import demo as projects_demo
from apps.projects import services as project_services
from apps.projects.management.commands.seed_demo import SEEDERS
from apps.projects.models import Phase, Project, Role
from apps.runbooks import demo as runbooks_demo
from apps.runbooks.models import Scenario
from apps.support import demo as support_demo

pytestmark = pytest.mark.django_db

MODELS = (Alert, Dashboard, DashboardCheck, Integration, Delivery, AlertEvent, Verification)
TRACKED = (Alert, Dashboard, Integration)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    tally = {model.__name__: model.objects.count() for model in MODELS}
    tally.update({f"{m.__name__} history": m.history.count() for m in TRACKED})
    return tally


def project_of(plan: demo.TransitionMonitoring) -> Project:
    return Project.objects.get(name=plan.transition)


def findings(project: Project) -> tuple[list[str], list[str]]:
    """(blocking, advisory) sentences of the transition's monitoring gate."""
    result = readiness.assess(project, today=timezone.localdate())
    return (
        [f.sentence for f in result.findings if f.blocking],
        [f.sentence for f in result.findings if not f.blocking],
    )


def test_the_seeder_runs_after_the_runbooks_whose_scenarios_name_the_alerts():
    order = [seed for _, seed in SEEDERS]
    assert order.index(demo.seed) == order.index(runbooks_demo.seed) + 1


def test_the_plans_name_the_support_demos_transitions():
    assert {p.transition for p in demo.PLANS} == {p.transition for p in support_demo.PLANS}


def test_seeding_twice_creates_nothing_and_changes_nothing():
    first = seed_demo()
    before = counts()
    updated = {a.pk: a.updated_at for a in Alert.objects.all()}
    tokens = set(Integration.objects.values_list("token", flat=True))

    second = seed_demo()

    assert before["Alert"] == 6 + 3 + 1
    assert before["Dashboard"] == 2 + 2
    assert before["Integration"] == 2
    assert counts() == before
    assert {a.pk: a.updated_at for a in Alert.objects.all()} == updated
    assert set(Integration.objects.values_list("token", flat=True)) == tokens
    for plan in demo.PLANS:
        lines = [line for line in first.splitlines() if plan.transition in line and "alert" in line]
        assert any("(created)" in line for line in lines), plan.transition
        again = next(
            line for line in second.splitlines() if plan.transition in line and "alert" in line
        )
        assert again.endswith("(already there)")


def test_the_identity_gate_passes_on_what_the_webhook_proved():
    seed_demo()
    project = project_of(demo.IDENTITY)
    assert project.phase == Phase.HYPERCARE

    result = readiness.assess(project, today=timezone.localdate())
    assert result.passed, [f.sentence for f in result.findings]
    assert result.score == 100
    blocking, advisory = findings(project)
    assert blocking == []
    assert advisory == ["Medium alert TextwaveDeliveryRateLow has not been verified."]
    alerts = {a.name: a for a in Alert.objects.filter(project=project)}
    assert len(alerts) == 6
    assert alerts["Watchdog"].is_heartbeat
    assert {a.severity for a in alerts.values()} >= {Severity.CRITICAL, Severity.HIGH}
    # Each must-verify alert was proven through the webhook, by a firing/resolved pair.
    for alert in alerts.values():
        if not alert.must_verify:
            continue
        verification = Verification.objects.get(alert=alert)
        assert verification.kind == VerificationKind.WEBHOOK, alert.name
        assert verification.firing_event.state == State.FIRING
        assert verification.resolved_event.state == State.RESOLVED
        assert verification.firing_event.dedup_key == verification.resolved_event.dedup_key
        assert verification.proves(alert)
    assert not Verification.objects.filter(project=project, kind=VerificationKind.MANUAL).exists()


def test_the_identity_critical_alerts_are_the_ones_its_runbook_scenarios_name():
    seed_demo()
    project = project_of(demo.IDENTITY)

    named = {name for s in Scenario.objects.filter(project=project) for name in s.alerts}
    critical = set(
        Alert.objects.filter(project=project, severity=Severity.CRITICAL).values_list(
            "name", flat=True
        )
    )
    assert critical == {"KeycloakDown", "PostgresDown"}
    assert critical <= named


def test_the_identity_deliveries_are_alertmanager_bodies_kept_as_evidence():
    seed_demo()
    project = project_of(demo.IDENTITY)
    integration = Integration.objects.get(project=project)
    assert integration.source == Source.ALERTMANAGER
    assert integration.last_delivery_at is not None

    deliveries = Delivery.objects.filter(project=project)
    assert deliveries.exists()
    for delivery in deliveries:
        body = json.loads(delivery.body)
        assert body["version"] == "4"
        parsed = sources.parse("alertmanager", delivery.body.encode())
        keys = {(n.dedup_key, n.episode, n.state) for n in parsed.notifications}
        assert keys == set(delivery.events.values_list("dedup_key", "episode", "state"))
    # The unmatched notification is kept, and proves nothing.
    disk = AlertEvent.objects.get(project=project, alert_key="DiskFull")
    assert disk.state == State.FIRING
    assert not Alert.objects.filter(project=project, name="DiskFull").exists()
    # The heartbeat fired again after it resolved once, and arrived at the seeding.
    watchdog = AlertEvent.objects.filter(project=project, alert_key="Watchdog")
    assert sorted(watchdog.values_list("state", flat=True)) == ["firing", "firing", "resolved"]
    latest = max(e.last_received_at for e in watchdog)
    assert timezone.now() - latest < dt.timedelta(minutes=5)


def test_the_identity_dashboards_were_confirmed_live_by_operations():
    seed_demo()
    project = project_of(demo.IDENTITY)
    ops = accounts_demo.people()["ops"]

    for dashboard in Dashboard.objects.filter(project=project):
        assert dashboard.url.startswith("https://grafana.example.com/")
        check = DashboardCheck.objects.get(dashboard=dashboard)
        assert check.checked_by == ops
        assert check.url == dashboard.url
        assert check.checked_at < timezone.now()


def test_transition_itself_is_blocked_by_exactly_its_two_gaps():
    seed_demo()
    project = project_of(demo.TRANSITION_ITSELF)
    assert Integration.objects.get(project=project).source == Source.GRAFANA

    result = readiness.assess(project, today=timezone.localdate())
    assert not result.passed
    assert 0 < result.score < 100
    blocking, advisory = findings(project)
    assert blocking == [
        "High alert TransitionWorkerHeartbeatStale {service=transition} has not been seen "
        "firing and resolving: send a test alert through the webhook, or record a manual "
        "verification.",
        "Dashboard “Transition: Celery and Redis” has not been confirmed live at its "
        "current address.",
    ]
    assert advisory == [
        "Medium alert CeleryQueueBacklog {service=transition} has not been verified."
    ]
    verification = Verification.objects.get(project=project)
    assert verification.kind == VerificationKind.MANUAL
    assert verification.alert.name == "TransitionHttp5xxHigh"
    assert verification.alert.severity == Severity.CRITICAL
    assert verification.verified_by == accounts_demo.people()["ops"]
    assert verification.evidence
    assert not Delivery.objects.filter(project=project).exists()


def test_the_notifications_transition_has_one_alert_and_nothing_else():
    seed_demo()
    project = project_of(demo.NOTIFICATIONS)

    assert Alert.objects.filter(project=project).count() == 1
    assert not Integration.objects.filter(project=project).exists()
    assert not Dashboard.objects.filter(project=project).exists()
    blocking, _ = findings(project)
    assert blocking == [
        "No dashboard is listed for operations to watch.",
        "High alert NotificationsSmsRejected has not been seen firing and resolving: send a "
        "test alert through the webhook, or record a manual verification.",
    ]


def test_the_history_names_the_delivery_engineer_and_operations_names_the_evidence():
    seed_demo()
    people = accounts_demo.people()

    for model in TRACKED:
        users = set(model.history.values_list("history_user", flat=True))
        assert users == {people["contributor"].pk}, model.__name__
    ops = {people["ops"].pk}
    assert set(DashboardCheck.objects.values_list("checked_by", flat=True)) == ops
    manual = Verification.objects.filter(kind=VerificationKind.MANUAL)
    assert set(manual.values_list("verified_by", flat=True)) == ops
    project = project_of(demo.IDENTITY)
    assert project.memberships.get(user=people["ops"]).role == Role.OPS


def _seed_up_to_runbooks() -> None:
    today = timezone.localdate()
    for seed in (accounts_demo.seed, projects_demo.seed, support_demo.seed, runbooks_demo.seed):
        seed(today=today, password="x")


def test_a_transition_that_has_monitoring_is_left_as_it_is():
    _seed_up_to_runbooks()
    today = timezone.localdate()
    project = project_of(demo.IDENTITY)
    Alert.objects.create(project=project, name="Mine")

    lines = demo.seed(today=today, password="x")

    assert list(Alert.objects.filter(project=project).values_list("name", flat=True)) == ["Mine"]
    assert any(demo.IDENTITY.transition in line and "already there" in line for line in lines)
    assert Alert.objects.filter(project=project_of(demo.TRANSITION_ITSELF)).count() == 3


def test_a_closed_transition_is_left_as_it_is():
    _seed_up_to_runbooks()
    today = timezone.localdate()
    project = project_of(demo.NOTIFICATIONS)
    project_services.project_change_phase(
        project=project, to=Phase.CANCELLED, by=accounts_demo.people()["lead"]
    )

    lines = demo.seed(today=today, password="x")

    assert not Alert.objects.filter(project=project).exists()
    assert any("Cancelled: left as it is" in line for line in lines)
