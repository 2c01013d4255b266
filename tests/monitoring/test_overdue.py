"""Unproven alerts and unconfirmed dashboards as go-live nears are hand-off items
(apps/monitoring/overdue.py)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.monitoring import overdue, services
from apps.monitoring.models import Alert, Dashboard, Severity
from apps.projects.models import Phase, Project
from apps.reminders import items as reminder_items

pytestmark = pytest.mark.django_db


def keyed(found) -> set[tuple[str, int | None]]:
    return {(i.key, i.recipient_id) for i in found}


@pytest.fixture
def soon(project):
    """The transition goes live in a week, in readiness."""
    Project.objects.filter(pk=project.pk).update(
        phase=Phase.READINESS, go_live_date=timezone.localdate() + dt.timedelta(days=7)
    )
    project.refresh_from_db()
    return project


def _alert(project, lead, name, severity=Severity.CRITICAL, **fields):
    return services.alert_save(
        alert=Alert(project=project, name=name, severity=severity, **fields), by=lead
    )


def test_the_registry_lists_the_monitoring_items():
    assert overdue.items in reminder_items.SOURCES


def test_unproven_alerts_go_to_the_lead_and_unconfirmed_dashboards_to_their_owner(
    soon, lead, contributor, ops
):
    down = _alert(soon, lead, "Down")
    lag = _alert(soon, lead, "Lag", Severity.HIGH)
    _alert(soon, lead, "Slow", Severity.MEDIUM)  # needs no proof
    _alert(soon, lead, "Watchdog", is_heartbeat=True)  # proves itself by arriving
    proven = _alert(soon, lead, "Proven")
    services.verification_record(alert=proven, by=ops, evidence="Seen.", now=timezone.now())
    board = services.dashboard_save(
        dashboard=Dashboard(
            project=soon, title="Board", url="https://g.example.com/1", owner=contributor
        ),
        by=lead,
    )

    found = list(overdue.items(timezone.localdate()))

    assert keyed(found) == {
        (f"alert:{down.pk}", lead.pk),
        (f"alert:{lag.pk}", lead.pk),
        (f"dashboard:{board.pk}", contributor.pk),
    }
    item = next(i for i in found if i.key == f"alert:{down.pk}")
    assert item.url == reverse("monitoring:alert", args=[soon.pk, down.pk])
    assert item.due_date == soon.go_live_date
    assert "Down" in item.title


def test_proof_ends_the_reminder_and_editing_the_alert_brings_it_back(soon, lead, ops):
    alert = _alert(soon, lead, "Down")
    services.verification_record(alert=alert, by=ops, evidence="Seen.", now=timezone.now())
    assert list(overdue.items(timezone.localdate())) == []
    alert.matchers = "env=prod"
    services.alert_save(alert=alert, by=lead)
    assert keyed(overdue.items(timezone.localdate())) == {(f"alert:{alert.pk}", lead.pk)}


def test_a_stale_verification_is_reminded_again(soon, lead, ops, settings):
    alert = _alert(soon, lead, "Down")
    services.verification_record(
        alert=alert, by=ops, evidence="Seen.", now=timezone.now() - dt.timedelta(days=40)
    )
    assert keyed(overdue.items(timezone.localdate())) == {(f"alert:{alert.pk}", lead.pk)}


def test_far_from_go_live_or_after_it_nothing_is_reminded(project, lead):
    _alert(project, lead, "Down")  # go-live in 30 days, planning
    assert list(overdue.items(timezone.localdate())) == []
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    assert list(overdue.items(timezone.localdate(), until=project.go_live_date)) == []


def test_person_and_project_ids_narrow_it(soon, lead, contributor):
    alert = _alert(soon, lead, "Down")
    assert keyed(overdue.items(timezone.localdate(), person=lead.pk)) == {
        (f"alert:{alert.pk}", lead.pk)
    }
    assert list(overdue.items(timezone.localdate(), person=contributor.pk)) == []
    assert list(overdue.items(timezone.localdate(), project_ids=[])) == []


@pytest.mark.parametrize("n", [2, 12])
def test_the_items_cost_two_queries_whatever_their_number(soon, lead, django_assert_num_queries, n):
    for i in range(n):
        _alert(soon, lead, f"Down{i}")
    with django_assert_num_queries(2):
        assert len(list(overdue.items(timezone.localdate()))) == n
