"""The webhook receivers, `POST /hooks/<source>/<token>/`: the contract monitoring tools
rely on (202, 404, 400, 413, repeats recorded once), evidence kept, and proof made."""

import hashlib
import hmac
import json
import logging
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.monitoring import services
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Delivery,
    Integration,
    Severity,
    Source,
    Verification,
    VerificationKind,
)
from apps.monitoring.views.hooks import MAX_BODY_BYTES
from apps.projects.models import Project

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def post(client: Client, integration: Integration, body: bytes, **headers) -> object:
    url = reverse("hook", args=[integration.source, integration.token])
    return client.post(url, body, content_type="application/json", headers=headers)


def stored() -> tuple[int, int, int]:
    return (Delivery.objects.count(), AlertEvent.objects.count(), Verification.objects.count())


@pytest.fixture
def hook(project, lead) -> Integration:
    return services.integration_save(
        integration=Integration(
            project=project, name="Prod Alertmanager", source=Source.ALERTMANAGER
        ),
        by=lead,
    )


def test_a_firing_delivery_is_accepted_kept_and_normalised(client, hook):
    body = payload("alertmanager_firing.json")
    response = post(client, hook, body)
    assert response.status_code == 202
    answer = response.json()
    assert answer["new"] == answer["notifications"] > 0
    delivery = Delivery.objects.get()
    assert json.loads(delivery.body) == json.loads(body)  # the raw payload, as evidence
    first = json.loads(body)["alerts"][0]
    event = AlertEvent.objects.get(dedup_key=first["fingerprint"])
    assert event.alert_key == first["labels"]["alertname"]
    assert event.state == "firing"
    assert event.labels == first["labels"]
    assert event.delivery == delivery
    assert event.project_id == hook.project_id
    hook.refresh_from_db()
    assert hook.last_delivery_at is not None


def test_the_same_delivery_fifty_times_is_recorded_once(client, hook):
    body = payload("alertmanager_firing.json")
    answers = [post(client, hook, body) for _ in range(50)]
    assert {a.status_code for a in answers} == {202}
    assert [a.json()["new"] for a in answers][1:] == [0] * 49
    assert Delivery.objects.count() == 1
    assert AlertEvent.objects.count() == len(json.loads(body)["alerts"])
    # The repeats still tell when the notification last arrived (the heartbeat reads it).
    event = AlertEvent.objects.first()
    assert event.last_received_at >= event.received_at


def test_an_alert_fired_then_resolved_through_the_webhook_is_verified(client, hook, lead):
    firing = json.loads(payload("alertmanager_firing.json"))
    name = firing["alerts"][0]["labels"]["alertname"]
    alert = services.alert_save(
        alert=Alert(project=hook.project, name=name, severity=Severity.CRITICAL), by=lead
    )
    assert post(client, hook, payload("alertmanager_firing.json")).json()["verified"] == 0
    answer = post(client, hook, payload("alertmanager_resolved.json")).json()
    assert answer["verified"] >= 1
    verification = Verification.objects.get(alert=alert)
    assert verification.kind == VerificationKind.WEBHOOK
    assert verification.firing_event.state == "firing"
    assert verification.resolved_event.state == "resolved"
    assert verification.firing_event.dedup_key == verification.resolved_event.dedup_key
    # The resolved delivery again proves nothing new.
    assert post(client, hook, payload("alertmanager_resolved.json")).json()["verified"] == 0
    assert Verification.objects.filter(alert=alert).count() == 1


def test_an_alert_added_after_its_test_fired_and_resolved_is_verified_at_once(client, hook, lead):
    post(client, hook, payload("alertmanager_firing.json"))
    post(client, hook, payload("alertmanager_resolved.json"))
    name = json.loads(payload("alertmanager_firing.json"))["alerts"][0]["labels"]["alertname"]
    alert = services.alert_save(
        alert=Alert(project=hook.project, name=name, severity=Severity.HIGH), by=lead
    )
    assert Verification.objects.filter(alert=alert, kind=VerificationKind.WEBHOOK).exists()


def test_matchers_decide_which_notifications_prove_an_alert(client, hook, lead):
    firing = json.loads(payload("alertmanager_firing.json"))
    name = firing["alerts"][0]["labels"]["alertname"]
    other = services.alert_save(
        alert=Alert(project=hook.project, name=name, matchers="env=nowhere"), by=lead
    )
    post(client, hook, payload("alertmanager_firing.json"))
    post(client, hook, payload("alertmanager_resolved.json"))
    assert not Verification.objects.filter(alert=other).exists()


@pytest.mark.parametrize(
    ("source", "token"),
    [("alertmanager", "not-a-token"), ("grafana", None), ("nagios", None)],
    ids=["unknown-token", "another-source's-token", "unknown-source"],
)
def test_an_unknown_address_is_404_and_stores_nothing(client, hook, source, token):
    url = reverse("hook", args=[source, token or hook.token])
    response = client.post(
        url, payload("alertmanager_firing.json"), content_type="application/json"
    )
    assert response.status_code == 404
    assert "error" in response.json()
    assert stored() == (0, 0, 0)


def test_a_rotated_token_stops_working_at_once(client, hook, lead):
    old = Integration.objects.get(pk=hook.pk)
    services.integration_rotate(integration=hook, by=lead)
    assert post(client, old, payload("alertmanager_firing.json")).status_code == 404
    assert post(client, hook, payload("alertmanager_firing.json")).status_code == 202


def test_a_closed_transition_takes_no_more_notifications(client, hook):
    Project.objects.filter(pk=hook.project_id).update(phase="bau")
    assert post(client, hook, payload("alertmanager_firing.json")).status_code == 404
    assert stored() == (0, 0, 0)


def test_a_body_over_one_mebibyte_is_413_before_it_is_read(client, hook):
    url = reverse("hook", args=[hook.source, hook.token])
    # The declared length alone refuses it: the body is not read.
    response = client.generic(
        "POST",
        url,
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(MAX_BODY_BYTES + 1),
    )
    assert response.status_code == 413
    assert stored() == (0, 0, 0)


def test_a_body_longer_than_it_says_is_413_too(client, hook):
    body = b'{"version": "4", "alerts": [], "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    url = reverse("hook", args=[hook.source, hook.token])
    response = client.generic(
        "POST", url, body, content_type="application/json", CONTENT_LENGTH="10"
    )
    # Django's test client sends what CONTENT_LENGTH says, so this reads 10 bytes: a
    # truncated body is not JSON (400), and either way nothing is stored.
    assert response.status_code in {400, 413}
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "JSON"),
        (b'{"version": "3", "alerts": []}', "version"),
        (b'{"version": "4", "alerts": [{"status": "firing", "labels": {}}]}', "alertname"),
    ],
)
def test_a_body_that_is_not_the_sources_format_is_400_saying_why(client, hook, body, message):
    response = post(client, hook, body)
    assert response.status_code == 400
    assert message.lower() in response.json()["error"].lower()
    assert stored() == (0, 0, 0)


def test_only_post_is_accepted(client, hook):
    response = client.get(reverse("hook", args=[hook.source, hook.token]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_token_never_reaches_a_log(client, hook, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, hook, b"not json")
    client.post(
        reverse("hook", args=["alertmanager", hook.token + "x"]),
        b"{}",
        content_type="application/json",
    )
    assert caplog.records, "refusals are logged"
    assert all(hook.token not in record.getMessage() for record in caplog.records)
    assert all(hook.token[:10] not in record.getMessage() for record in caplog.records)


def test_the_webhook_needs_no_csrf_token(hook):
    client = Client(enforce_csrf_checks=True)
    assert post(client, hook, payload("alertmanager_firing.json")).status_code == 202


@pytest.fixture
def pagerduty(project, lead) -> Integration:
    return services.integration_save(
        integration=Integration(
            project=project, name="PagerDuty", source=Source.PAGERDUTY, signing_secret="s3cret"
        ),
        by=lead,
    )


def _signature(secret: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_pagerduty_deliveries_are_checked_against_the_signing_secret(client, pagerduty):
    body = payload("pagerduty_triggered.json")
    assert post(client, pagerduty, body).status_code == 401
    assert (
        post(
            client, pagerduty, body, **{"X-PagerDuty-Signature": _signature("wrong", body)}
        ).status_code
        == 401
    )
    assert stored() == (0, 0, 0)
    good = post(client, pagerduty, body, **{"X-PagerDuty-Signature": _signature("s3cret", body)})
    assert good.status_code == 202
    assert good.json()["new"] == 1


@pytest.mark.parametrize(
    ("source", "firing", "resolved"),
    [
        ("grafana", "grafana_firing.json", "grafana_resolved.json"),
        ("pagerduty", "pagerduty_triggered.json", "pagerduty_resolved.json"),
    ],
)
def test_every_source_can_prove_an_alert(client, project, lead, source, firing, resolved):
    integration = services.integration_save(
        integration=Integration(project=project, name=source, source=source), by=lead
    )
    post(client, integration, payload(firing))
    key = AlertEvent.objects.filter(integration=integration, state="firing").first().alert_key
    alert = services.alert_save(
        alert=Alert(project=project, name=key, severity=Severity.CRITICAL), by=lead
    )
    post(client, integration, payload(resolved))
    assert Verification.objects.filter(alert=alert).exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=JSON, source=st.sampled_from(list(Source.values)))
def test_random_json_never_causes_a_500(client, project, lead, data, source):
    integration = Integration.objects.filter(project=project, source=source).first() or (
        services.integration_save(
            integration=Integration(project=project, name=source, source=source), by=lead
        )
    )
    response = post(client, integration, json.dumps(data).encode())
    assert response.status_code in {202, 400}


def test_a_content_length_that_is_not_a_number_is_400(client, hook):
    url = reverse("hook", args=[hook.source, hook.token])
    response = client.generic(
        "POST", url, b"{}", content_type="application/json", CONTENT_LENGTH="many"
    )
    assert response.status_code == 400
    assert "Content-Length" in response.json()["error"]
    assert stored() == (0, 0, 0)
