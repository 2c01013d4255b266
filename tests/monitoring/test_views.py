"""The monitoring pages: what each shows, the live proof region, and their query counts."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.monitoring import services, sources
from apps.monitoring.models import Alert, Dashboard, Integration, Severity, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(project, lead):
    return services.integration_save(
        integration=Integration(project=project, name="Generic", source=Source.GENERIC), by=lead
    )


def _send(integration, name, status, fingerprint="fp", labels=None):
    body = json.dumps(
        {
            "name": name,
            "status": status,
            "fingerprint": fingerprint,
            "labels": labels or {},
            "started_at": "2026-11-28T10:00:00Z",
        }
    )
    services.receive(
        integration=integration,
        parsed=sources.parse("generic", body.encode()),
        body=body,
        now=timezone.now(),
    )


def _page(client, project, **kwargs):
    return client.get(reverse("monitoring:alerts", args=[project.pk]), **kwargs)


def _fill(project, lead, hook, n):
    for i in range(n):
        alert = services.alert_save(
            alert=Alert(project=project, name=f"Alert{i}", severity=Severity.CRITICAL), by=lead
        )
        _send(hook, alert.name, "firing", fingerprint=f"fp{i}")
        _send(hook, alert.name, "resolved", fingerprint=f"fp{i}")
        _send(hook, f"Unknown{i}", "firing", fingerprint=f"u{i}")
        services.dashboard_save(
            dashboard=Dashboard(
                project=project, title=f"Board {i}", url=f"https://g.example.com/d/{i}", owner=lead
            ),
            by=lead,
        )


@pytest.mark.parametrize("n", [3, 30])
def test_the_monitoring_page_reads_a_fixed_number_of_queries(
    client_as, lead, project, hook, n, django_assert_max_num_queries
):
    _fill(project, lead, hook, n)
    client = client_as(lead)
    with django_assert_max_num_queries(16):
        response = _page(client, project)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="alert-row"') == n


def test_the_page_shows_proof_per_alert_and_polls_while_one_waits(client_as, lead, project, hook):
    services.alert_save(
        alert=Alert(project=project, name="PaymentsApiDown", severity=Severity.CRITICAL), by=lead
    )
    client = client_as(lead)
    page = _page(client, project).content.decode()
    assert 'data-state="none"' in page
    assert 'hx-trigger="every 5s"' in page
    # The test alert fires and resolves: the polled region now says verified, and stops polling.
    _send(hook, "PaymentsApiDown", "firing")
    _send(hook, "PaymentsApiDown", "resolved")
    region = _page(client, project, headers={"HX-Request": "true"}).content.decode()
    assert region.lstrip().startswith('<div id="proof"')
    assert 'data-state="verified"' in region
    assert "by webhook" in region
    assert "hx-trigger" not in region
    assert "<html" not in region


def test_what_arrived_unknown_is_listed_and_added_in_one_click(client_as, lead, project, hook):
    _send(hook, "DiskFull", "firing", labels={"instance": "db-1"})
    _send(hook, "DiskFull", "resolved", labels={"instance": "db-1"})
    client = client_as(lead)
    page = _page(client, project).content.decode()
    assert "We received <code>DiskFull</code> but no such alert is in the inventory." in page
    response = client.post(
        reverse("monitoring:alert-adopt", args=[project.pk]), {"name": "DiskFull"}
    )
    alert = Alert.objects.get(project=project, name="DiskFull")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:alert-edit", args=[project.pk, alert.pk])
    assert alert.severity == Severity.MEDIUM
    assert alert.source == Source.GENERIC
    assert alert.verifications.exists()  # it had already fired and resolved
    assert "no such alert" not in _page(client, project).content.decode()


def test_adopting_a_name_never_received_is_refused(client_as, lead, project, hook):
    response = client_as(lead).post(
        reverse("monitoring:alert-adopt", args=[project.pk]), {"name": "Nope"}, follow=True
    )
    assert "Nothing named “Nope” was received" in response.content.decode()
    assert not Alert.objects.exists()


def test_an_alert_page_links_its_evidence_and_the_raw_payload_is_shown_escaped(
    client_as, lead, project, hook
):
    alert = services.alert_save(alert=Alert(project=project, name="Down"), by=lead)
    _send(hook, "Down", "firing", labels={"note": "<script>alert(1)</script>"})
    _send(hook, "Down", "resolved", labels={"note": "<script>alert(1)</script>"})
    client = client_as(lead)
    page = client.get(reverse("monitoring:alert", args=[project.pk, alert.pk])).content.decode()
    assert "firing payload" in page
    assert "resolved payload" in page
    assert "<script>alert(1)" not in page
    delivery = alert.verifications.get().firing_event.delivery
    raw = client.get(
        reverse("monitoring:delivery", args=[project.pk, delivery.pk])
    ).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in raw


def test_the_integrations_page_gives_the_address_and_the_snippets(client_as, lead, project, hook):
    page = (
        client_as(lead).get(reverse("monitoring:integrations", args=[project.pk])).content.decode()
    )
    assert f"/hooks/generic/{hook.token}/" in page
    assert "curl" in page


def test_a_manual_verification_form_without_evidence_says_what_is_missing(
    client_as, ops, lead, project
):
    alert = services.alert_save(alert=Alert(project=project, name="Down"), by=lead)
    response = client_as(ops).post(
        reverse("monitoring:alert-verify", args=[project.pk, alert.pk]), {}
    )
    assert response.status_code == 400
    assert "Say what you saw" in response.content.decode()
    assert not alert.verifications.exists()


def test_an_invalid_matcher_is_a_field_error_and_nothing_is_saved(client_as, lead, project):
    response = client_as(lead).post(
        reverse("monitoring:alert-add", args=[project.pk]),
        {"name": "Down", "matchers": "service", "severity": "high", "source": ""},
    )
    assert response.status_code == 400
    assert "is not a matcher" in response.content.decode()
    assert not Alert.objects.exists()


def test_the_signing_secret_is_never_shown_and_kept_when_left_empty(client_as, lead, project):
    integration = services.integration_save(
        integration=Integration(
            project=project, name="PD", source=Source.PAGERDUTY, signing_secret="s3cret-value"
        ),
        by=lead,
    )
    client = client_as(lead)
    url = reverse("monitoring:integration-edit", args=[project.pk, integration.pk])
    assert "s3cret-value" not in client.get(url).content.decode()
    client.post(url, {"name": "PagerDuty", "source": "pagerduty", "signing_secret": ""})
    integration.refresh_from_db()
    assert integration.name == "PagerDuty"
    assert integration.signing_secret == "s3cret-value"


def test_a_signing_secret_is_refused_for_a_source_that_does_not_sign(client_as, lead, project):
    response = client_as(lead).post(
        reverse("monitoring:integration-add", args=[project.pk]),
        {"name": "AM", "source": "alertmanager", "signing_secret": "x"},
    )
    assert response.status_code == 400
    assert "Only PagerDuty signs" in response.content.decode()
    assert not Integration.objects.exists()
