"""Monitoring in the activity feed and the admin: who listed or changed which alert,
dashboard and integration, and never an integration's secret."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.monitoring import activity_sources as monitoring_activity
from apps.monitoring import services
from apps.monitoring.models import Alert, Dashboard, Integration, Severity, Source
from apps.projects import activity

pytestmark = pytest.mark.django_db

SECRET = "pd-signing-secret-0123456789"


def monitoring_entries(project) -> list[activity.Entry]:
    return activity.recent(project, kinds=[monitoring_activity.KIND]).entries


@pytest.fixture
def alert(project, contributor):
    return services.alert_save(
        alert=Alert(project=project, name="PaymentsDown", severity=Severity.HIGH),
        by=contributor,
    )


@pytest.fixture
def integration(project, contributor):
    return services.integration_save(
        integration=Integration(
            project=project,
            name="On-call PagerDuty",
            source=Source.PAGERDUTY,
            signing_secret=SECRET,
        ),
        by=contributor,
    )


def test_the_monitoring_sources_are_registered_under_one_kind():
    sources = [s for s in activity.SOURCES if s.kind == monitoring_activity.KIND]
    assert {s.model for s in sources} == {Alert, Dashboard, Integration}
    assert (monitoring_activity.KIND, monitoring_activity.LABEL) in activity.kinds()


def test_adding_and_changing_an_alert_says_who_and_what(project, contributor, alert):
    alert.severity = Severity.CRITICAL
    alert.matchers = "service=payments"
    services.alert_save(alert=alert, by=contributor)

    changed, added = monitoring_entries(project)[:2]
    who = contributor.display_name
    assert added.sentence == f"{who} added the alert “PaymentsDown”"
    assert changed.sentence.startswith(f"{who} changed the alert “PaymentsDown”: ")
    assert "severity High → Critical" in changed.sentence
    assert "edited the matchers" in changed.sentence
    assert changed.link == reverse("monitoring:alert", args=[project.pk, alert.pk])


def test_a_dashboard_links_to_its_place_on_the_monitoring_page(project, contributor, ops):
    dashboard = services.dashboard_save(
        dashboard=Dashboard(
            project=project,
            title="Payments overview",
            url="https://grafana.example.com/d/payments/payments",
            owner=ops,
        ),
        by=contributor,
    )

    (entry,) = monitoring_entries(project)
    assert entry.sentence == f"{contributor.display_name} added the dashboard “Payments overview”"
    assert entry.link == (
        f"{reverse('monitoring:alerts', args=[project.pk])}#dashboard-{dashboard.pk}"
    )


def test_a_deleted_alert_is_named_and_not_linked(project, contributor, alert):
    services.alert_delete(alert=alert, by=contributor)

    entry = monitoring_entries(project)[0]
    assert entry.sentence == f"{contributor.display_name} deleted the alert “PaymentsDown”"
    assert entry.link == ""


def test_the_feed_shows_no_integration_secret(client_as, project, contributor, lead, integration):
    old_token = integration.token
    services.integration_rotate(integration=integration, by=contributor)
    integration.name = "PagerDuty (payments)"
    services.integration_save(integration=integration, by=contributor)
    integration.refresh_from_db()

    html = client_as(lead).get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert 'data-testid="activity"' in html
    for secret in (old_token, integration.token, SECRET):
        assert secret not in html


def test_the_admin_shows_monitoring_read_only_and_never_an_integrations_secrets(
    client, project, alert, integration
):
    client.force_login(get_user_model().objects.create_superuser("root@example.com", "pw"))
    pages = [
        reverse("admin:monitoring_integration_changelist"),
        reverse("admin:monitoring_integration_change", args=[integration.pk]),
        reverse("admin:monitoring_integration_history", args=[integration.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert integration.token not in html, url
        assert SECRET not in html, url
    assert client.get(reverse("admin:monitoring_alert_add")).status_code == 403
    change = client.get(reverse("admin:monitoring_alert_change", args=[alert.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    for model in ("dashboardcheck", "verification", "delivery", "alertevent"):
        assert client.get(reverse(f"admin:monitoring_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:monitoring_{model}_add")).status_code == 403
