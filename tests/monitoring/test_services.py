"""Writes to a transition's monitoring: each keeps the data valid or changes nothing."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from apps.monitoring import readiness, services, sources
from apps.monitoring.models import (
    Alert,
    Dashboard,
    Integration,
    Severity,
    Source,
    Verification,
)
from apps.projects.guard import ActionRefused, EditConflict
from apps.projects.models import Phase, Project, ProjectSummary

pytestmark = pytest.mark.django_db


def _alert(project, by, name="PaymentsApiDown", **fields):
    return services.alert_save(alert=Alert(project=project, name=name, **fields), by=by)


def _generic(integration, name, status, fingerprint="fp", started="2026-11-28T10:00:00Z", now=None):
    body = json.dumps(
        {"name": name, "status": status, "fingerprint": fingerprint, "started_at": started}
    )
    return services.receive(
        integration=integration,
        parsed=sources.parse("generic", body.encode()),
        body=body,
        now=now or timezone.now(),
    )


@pytest.fixture
def hook(project, lead):
    return services.integration_save(
        integration=Integration(project=project, name="Generic", source=Source.GENERIC), by=lead
    )


def test_the_same_alert_twice_is_refused_but_matchers_tell_two_apart(project, lead):
    _alert(project, lead, matchers="service=payments")
    with pytest.raises(ActionRefused, match="already has"):
        _alert(project, lead, matchers="service = payments")  # the same, normalised
    _alert(project, lead, matchers="service=ledger")
    assert Alert.objects.filter(project=project).count() == 2


def test_a_matcher_that_cannot_be_read_is_refused_before_anything_is_written(project, lead):
    with pytest.raises(ActionRefused, match="not a matcher"):
        _alert(project, lead, matchers="service")
    assert not Alert.objects.exists()


def test_marking_a_heartbeat_unmarks_the_previous_one(project, lead):
    first = _alert(project, lead, name="Watchdog", is_heartbeat=True)
    second = _alert(project, lead, name="DeadMansSwitch", is_heartbeat=True)
    first.refresh_from_db()
    assert not first.is_heartbeat
    assert second.is_heartbeat


def test_a_stale_edit_of_an_alert_is_refused_with_who_changed_it(project, lead, contributor):
    alert = _alert(project, lead)
    seen = alert.updated_at
    again = Alert.objects.get(pk=alert.pk)
    again.severity = Severity.LOW
    services.alert_save(alert=again, by=contributor, seen_version=seen)
    alert.description = "Mine"
    with pytest.raises(EditConflict):
        services.alert_save(alert=alert, by=lead, seen_version=seen)


def test_a_verified_alert_cannot_be_deleted(project, lead, ops):
    alert = _alert(project, lead)
    services.verification_record(alert=alert, by=ops, evidence="Saw it.", now=timezone.now())
    with pytest.raises(ActionRefused, match="evidence"):
        services.alert_delete(alert=alert, by=lead)
    assert Alert.objects.filter(pk=alert.pk).exists()


@pytest.mark.parametrize(("evidence", "url"), [("", ""), ("   ", "")])
def test_a_manual_verification_needs_evidence(project, lead, ops, evidence, url):
    alert = _alert(project, lead)
    with pytest.raises(ActionRefused, match="Say what you saw"):
        services.verification_record(
            alert=alert, by=ops, evidence=evidence, evidence_url=url, now=timezone.now()
        )
    assert not Verification.objects.exists()


def test_a_dashboard_confirmed_live_is_unconfirmed_when_its_address_changes(project, lead, ops):
    dashboard = services.dashboard_save(
        dashboard=Dashboard(
            project=project, title="Board", url="https://g.example.com/d/1", owner=lead
        ),
        by=lead,
    )
    services.dashboard_confirm(dashboard=dashboard, by=ops, now=timezone.now(), note="Live")
    assert readiness.facts_for_many([project])[project.pk].dashboards[0].confirmed
    dashboard.url = "https://g.example.com/d/2"
    services.dashboard_save(dashboard=dashboard, by=lead)
    assert not readiness.facts_for_many([project])[project.pk].dashboards[0].confirmed
    with pytest.raises(ActionRefused, match="evidence"):
        services.dashboard_delete(dashboard=dashboard, by=lead)


def test_a_dashboard_owner_must_be_a_member(project, lead, outsider):
    with pytest.raises(ActionRefused, match="Only members"):
        services.dashboard_save(
            dashboard=Dashboard(
                project=project, title="B", url="https://g.example.com", owner=outsider
            ),
            by=lead,
        )


def test_an_integration_that_delivered_evidence_cannot_be_deleted(project, lead, hook):
    alert = _alert(project, lead, name="Down")
    _generic(hook, "Down", "firing")
    _generic(hook, "Down", "resolved")
    assert Verification.objects.filter(alert=alert).exists()
    with pytest.raises(ActionRefused, match="Rotate"):
        services.integration_delete(integration=hook, by=lead)


def test_two_integrations_cannot_share_a_name(project, lead, hook):
    with pytest.raises(ActionRefused, match="already called"):
        services.integration_save(
            integration=Integration(project=project, name="Generic", source=Source.GRAFANA), by=lead
        )


def test_a_verification_through_the_webhook_updates_the_gate_on_the_summary(project, lead, hook):
    _alert(project, lead, name="Down", severity=Severity.CRITICAL)

    def gate():
        summary = ProjectSummary.objects.get(project=project)
        return next(g for g in summary.gates if g["key"] == "monitoring")

    assert any("Down has not been seen firing" in f["sentence"] for f in gate()["findings"])
    _generic(hook, "Down", "firing")
    _generic(hook, "Down", "resolved")
    assert not any("Down has not been seen firing" in f["sentence"] for f in gate()["findings"])


def test_a_closed_transition_keeps_its_evidence_final(project, lead, hook):
    alert = _alert(project, lead, name="Down")
    _generic(hook, "Down", "firing")
    Project.objects.filter(pk=project.pk).update(phase=Phase.BAU)
    assert _generic(hook, "Down", "resolved").verified == 0
    assert not Verification.objects.filter(alert=alert).exists()


def test_a_silent_heartbeat_refreshes_the_summary_once_and_again_when_it_returns(
    project, lead, hook
):
    _alert(project, lead, name="Watchdog", severity=Severity.LOW, is_heartbeat=True)
    start = timezone.now()
    _generic(hook, "Watchdog", "firing", now=start)
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    assert services.heartbeats_check() == 0  # it just arrived

    def silent():
        summary = ProjectSummary.objects.get(project=project)
        gate = next(g for g in summary.gates if g["key"] == "monitoring")
        return any(f["sentence"].startswith(readiness.SILENT) for f in gate["findings"])

    assert not silent()
    with time_machine.travel(start + dt.timedelta(minutes=45)):
        assert services.heartbeats_check() == 1
        assert silent()
        assert services.heartbeats_check() == 0
        # Alertmanager re-sends the Watchdog: the same event, a later last_received_at.
        _generic(hook, "Watchdog", "firing", now=timezone.now())
        assert services.heartbeats_check() == 1
        assert not silent()


def test_the_beat_task_and_its_command_run_the_same_check(project, lead, hook, capsys):
    from django.core.management import call_command

    from apps.monitoring import tasks

    _alert(project, lead, name="Watchdog", severity=Severity.LOW, is_heartbeat=True)
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    assert tasks.check_heartbeats() == "1 summaries refreshed"  # never arrived: silent
    call_command("check_heartbeats")
    assert capsys.readouterr().out == "0 summaries refreshed.\n"
