"""Reading webhook bodies (`apps/monitoring/sources.py`): pure, no database.

Real payloads (`payloads/`, one file per case) become the notifications expected;
each malformed case is refused with the sentence the sender will read; PagerDuty's
signatures are checked; and, the property that keeps the receivers from ever
answering 500: random bytes, random JSON and damaged real payloads give a `Parsed`
or a `PayloadError`, nothing else.
"""

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.monitoring.models import Source, State
from apps.monitoring.sources import (
    SOURCES,
    Notification,
    Parsed,
    PayloadError,
    pagerduty_signature_ok,
    parse,
)

PAYLOADS = Path(__file__).parent / "payloads"
FIRING, RESOLVED = State.FIRING.value, State.RESOLVED.value
DELETE = object()  # in `changed`: remove the key instead of setting it


def raw(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def document(name: str) -> Any:
    return json.loads(raw(name))


def encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


def changed(name: str, path: str, value: Any) -> bytes:
    """The payload `name` with the value at `path` ("alerts.2.labels") set or deleted."""
    root = document(name)
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    container = root
    for part in parents:
        container = container[part]
    if value is DELETE:
        del container[last]
    else:
        container[last] = value
    return encoded(root)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def refusal(source: str, body: bytes) -> str:
    with pytest.raises(PayloadError) as refused:
        parse(source, body)
    return str(refused.value)


def generic(**alert: Any) -> Notification:
    (notification,) = parse("generic", encoded(alert)).notifications
    return notification


def test_the_sources_are_the_integration_sources():
    assert tuple(Source.values) == SOURCES


# Real payloads ------------------------------------------------------------------------

PAYMENTS_ERRORS = "PaymentsHighErrorRate"
CHECKOUT = "Checkout latency high"
SETTLEMENT = "Nightly settlement batch late"


@pytest.mark.parametrize(
    ("source", "name", "truncated", "expected"),
    [
        (
            "alertmanager",
            "alertmanager_firing",
            0,
            [
                (
                    PAYMENTS_ERRORS,
                    FIRING,
                    "1d2f6a4c9b1e0a37",
                    "2026-11-28T10:00:00.123456789Z",
                    utc(2026, 11, 28, 10, 0, 0, 123456),
                    None,
                ),
                (
                    PAYMENTS_ERRORS,
                    FIRING,
                    "5b8e03f1c27d94aa",
                    "2026-11-28T10:00:30.5Z",
                    utc(2026, 11, 28, 10, 0, 30, 500000),
                    None,
                ),
                (
                    PAYMENTS_ERRORS,
                    FIRING,
                    "c0a9e7d3f4b25168",
                    "2026-11-28T10:01:00Z",
                    utc(2026, 11, 28, 10, 1),
                    None,
                ),
            ],
        ),
        (
            "alertmanager",
            "alertmanager_resolved",
            0,
            [
                (
                    PAYMENTS_ERRORS,
                    RESOLVED,
                    "1d2f6a4c9b1e0a37",
                    "2026-11-28T10:00:00.123456789Z",
                    utc(2026, 11, 28, 10, 0, 0, 123456),
                    utc(2026, 11, 28, 10, 17, 45, 987654),
                ),
            ],
        ),
        (
            "alertmanager",
            "alertmanager_truncated",
            2,
            [
                (
                    "KubePodCrashLooping",
                    FIRING,
                    "8f3c1a2b7e6d5049",
                    "2026-11-28T09:45:12.000000001Z",
                    utc(2026, 11, 28, 9, 45, 12),
                    None,
                ),
            ],
        ),
        (
            "alertmanager",
            "alertmanager_extra_fields",
            0,
            [
                (
                    "Watchdog",
                    FIRING,
                    "e2ab0a8c17f3d6b9",
                    "2026-11-27T08:00:00+01:00",
                    utc(2026, 11, 27, 7, 0),
                    None,
                ),
            ],
        ),
        (
            "grafana",
            "grafana_firing",
            0,
            [
                (
                    CHECKOUT,
                    FIRING,
                    "c6eadffa33fcdf37",
                    "2026-11-28T11:05:03.157076+01:00",
                    utc(2026, 11, 28, 10, 5, 3, 157076),
                    None,
                ),
                (
                    CHECKOUT,
                    FIRING,
                    "bc97ff14869b13e3",
                    "2026-11-28T11:06:03.157076+01:00",
                    utc(2026, 11, 28, 10, 6, 3, 157076),
                    None,
                ),
            ],
        ),
        (
            "grafana",
            "grafana_resolved",
            0,
            [
                (
                    CHECKOUT,
                    RESOLVED,
                    "c6eadffa33fcdf37",
                    "2026-11-28T11:05:03.157076+01:00",
                    utc(2026, 11, 28, 10, 5, 3, 157076),
                    utc(2026, 11, 28, 10, 25, 3),
                ),
            ],
        ),
        (
            "pagerduty",
            "pagerduty_triggered",
            0,
            [
                (
                    "Payments database replication lag",
                    FIRING,
                    "Q2K9SX3F8ZQ1LA",
                    "",
                    utc(2026, 11, 28, 14, 0, 2),
                    None,
                ),
            ],
        ),
        (
            "pagerduty",
            "pagerduty_resolved",
            0,
            [
                (
                    "Payments database replication lag",
                    RESOLVED,
                    "Q2K9SX3F8ZQ1LA",
                    "",
                    utc(2026, 11, 28, 14, 0, 2),
                    utc(2026, 11, 28, 14, 32, 41, 208000),
                ),
            ],
        ),
        ("pagerduty", "pagerduty_acknowledged", 0, []),
        (
            "generic",
            "generic_single",
            0,
            [
                (
                    SETTLEMENT,
                    FIRING,
                    "4c0292d8df85e69cbcfb32924add62d9",
                    "2026-11-28T02:30:00Z",
                    utc(2026, 11, 28, 2, 30),
                    None,
                ),
            ],
        ),
        (
            "generic",
            "generic_list",
            0,
            [
                (
                    SETTLEMENT,
                    RESOLVED,
                    "5c3ce2d4a7b7257ec4fa1a53c956b706",
                    "2026-11-28T02:30:00Z",
                    utc(2026, 11, 28, 2, 30),
                    utc(2026, 11, 28, 3, 12, 9, 500000),
                ),
                ("SFTP drop folder unreachable", FIRING, "sftp-drop-prod", "", None, None),
            ],
        ),
    ],
)
def test_a_real_payload_becomes_its_notifications(source, name, truncated, expected):
    parsed = parse(source, raw(name))
    assert parsed.truncated == truncated
    assert [
        (n.alert_key, n.state, n.dedup_key, n.episode, n.started_at, n.ended_at)
        for n in parsed.notifications
    ] == expected


def test_an_alertmanager_notification_keeps_every_label_of_its_alert():
    first = parse("alertmanager", raw("alertmanager_firing")).notifications[0]
    assert first.labels == {
        "alertname": PAYMENTS_ERRORS,
        "env": "production",
        "instance": "payments-api-0:8080",
        "job": "payments-api",
        "service": "payments",
        "severity": "critical",
    }


def test_unknown_labels_are_kept_and_unknown_fields_ignored():
    (watchdog,) = parse("alertmanager", raw("alertmanager_extra_fields")).notifications
    assert watchdog.labels == {
        "alertname": "Watchdog",
        "prometheus": "monitoring/k8s",
        "severity": "none",
        "kubernetes_io_arch": "amd64",
        "topology_kubernetes_io_zone": "eu-west-1b",
        "__tenant_id__": "payments-prod",
    }


def test_a_grafana_notification_keeps_its_labels():
    eu = parse("grafana", raw("grafana_firing")).notifications[0]
    assert eu.labels == {
        "alertname": CHECKOUT,
        "grafana_folder": "Payments",
        "service": "checkout",
        "team": "payments",
        "zone": "eu-1",
    }


def test_a_pagerduty_incident_is_labelled_with_its_service_urgency_priority_and_key():
    (triggered,) = parse("pagerduty", raw("pagerduty_triggered")).notifications
    assert triggered.labels == {
        "service": "Payments API",
        "urgency": "high",
        "priority": "P1",
        "incident_key": "payments-db-replication-lag",
    }


def test_a_pagerduty_incident_without_a_priority_has_no_priority_label():
    (resolved,) = parse("pagerduty", raw("pagerduty_resolved")).notifications
    assert "priority" not in resolved.labels


def test_pagerdutys_test_ping_is_a_valid_body_without_notifications():
    ping = {
        "event": {
            "id": "01DFXZT5E7J2HQ4N0P8S1V6K3B",
            "event_type": "pagey.ping",
            "resource_type": "pagey",
            "occurred_at": "2026-11-28T13:58:00.000Z",
            "agent": None,
            "client": None,
            "data": {"message": "Hello from your friend Pagey!", "type": "ping"},
        }
    }
    assert parse("pagerduty", encoded(ping)) == Parsed(notifications=())


def test_generic_label_values_become_text_as_json_writes_them_and_nested_ones_are_dropped():
    (settlement,) = parse("generic", raw("generic_single")).notifications
    assert settlement.labels == {
        "service": "settlement",
        "env": "production",
        "attempt": "3",
        "manual_rerun": "false",
    }


def test_a_derived_fingerprint_is_the_same_for_the_same_name_and_labels_in_any_order():
    firing = generic(name="Disk full", status="firing", labels={"host": "db-1", "env": "prod"})
    resolved = generic(name="Disk full", status="resolved", labels={"env": "prod", "host": "db-1"})
    other_host = generic(name="Disk full", status="firing", labels={"host": "db-2", "env": "prod"})
    canonical = '["Disk full",[["env","prod"],["host","db-1"]]]'
    assert firing.dedup_key == hashlib.sha256(canonical.encode()).hexdigest()[:32]
    assert resolved.dedup_key == firing.dedup_key
    assert other_host.dedup_key != firing.dedup_key


def test_a_generic_alert_needs_only_a_name_and_a_status():
    assert generic(name="Disk full", status="firing") == Notification(
        alert_key="Disk full",
        labels={},
        state=FIRING,
        dedup_key=hashlib.sha256(b'["Disk full",[]]').hexdigest()[:32],
        episode="",
        started_at=None,
        ended_at=None,
    )


def test_long_names_keys_and_episodes_are_cut_to_their_columns():
    starts_at = "2026-11-28T10:00:00." + "1" * 80 + "Z"
    notification = generic(
        name="N" * 300, status="firing", fingerprint="f" * 250, started_at=starts_at
    )
    assert notification.alert_key == "N" * 200
    assert notification.dedup_key == "f" * 200
    assert notification.episode == starts_at[:64]
    assert notification.started_at == utc(2026, 11, 28, 10, 0, 0, 111111)


def test_nul_characters_and_lone_surrogates_are_made_storable():
    notification = generic(
        name="Disk\u0000 full\ud800", status="firing", labels={"a\u0000": "\udfff"}
    )
    assert notification.alert_key == "Disk full\ufffd"
    assert notification.labels == {"a": "\ufffd"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-28T10:00:00Z", utc(2026, 11, 28, 10, 0)),
        ("2026-11-28t10:00:00z", utc(2026, 11, 28, 10, 0)),
        ("2026-11-28 10:00:00-05:30", utc(2026, 11, 28, 15, 30)),
        ("2026-11-28T10:00:00.1234567+00:00", utc(2026, 11, 28, 10, 0, 0, 123456)),
        ("0001-01-01T00:00:00Z", None),
        ("0001-01-01T00:00:00+00:00", None),
    ],
)
def test_times_are_read_as_rfc3339_in_utc_and_the_zero_time_is_no_time(written, expected):
    assert generic(name="X", status="resolved", ended_at=written).ended_at == expected


def test_a_byte_order_mark_before_the_json_is_not_an_error():
    assert parse("generic", b"\xef\xbb\xbf" + raw("generic_single")).notifications


def test_a_body_may_hold_a_thousand_notifications_and_an_alert_a_hundred_labels():
    labels = {f"label_{i}": str(i) for i in range(100)}
    alerts = [{"name": f"Alert {i}", "status": "firing", "labels": labels} for i in range(1000)]
    assert len(parse("generic", encoded({"alerts": alerts})).notifications) == 1000


# Refusals -------------------------------------------------------------------------------

GRAFANA_TO_ALERTMANAGER = (
    'version is "1", but this address takes Alertmanager\'s webhook version "4" '
    '(version "1" is Grafana\'s).'
)
NOT_RFC3339 = 'is "yesterday", not an RFC 3339 time such as "2026-11-28T10:00:00Z".'


@pytest.mark.parametrize(
    ("source", "body", "message"),
    [
        ("alertmanager", b"not json", "The body is not JSON: Expecting value at line 1, column 1."),
        ("grafana", b"", "The body is not JSON: Expecting value at line 1, column 1."),
        ("generic", b'{"name": "X",', "The body is not JSON: Expecting property name enclosed "
         "in double quotes at line 1, column 14."),
        ("generic", b"\xff\xfe{}", "The body is not UTF-8 text: byte 0 is not valid UTF-8."),
        ("generic", b"[" * 100_000, "The body is nested too deeply to read."),
        ("generic", b"1" * 5000, "The body holds a number too long to read."),
        ("nagios", b"{}", '"nagios" is not a source: use one of alertmanager, grafana, '
         "pagerduty, generic."),
        # Alertmanager and Grafana
        ("alertmanager", b"[]", "The body is an array, not an object."),
        ("alertmanager", changed("alertmanager_firing", "version", "3"),
         'version is "3", but this address takes Alertmanager\'s webhook version "4".'),
        ("alertmanager", changed("alertmanager_firing", "version", 4),
         'version is 4, but this address takes Alertmanager\'s webhook version "4".'),
        ("alertmanager", changed("alertmanager_firing", "version", DELETE),
         'version is missing: this address takes Alertmanager\'s webhook version "4".'),
        ("alertmanager", raw("grafana_firing"), GRAFANA_TO_ALERTMANAGER),
        ("grafana", raw("alertmanager_firing"),
         'version is "4", but this address takes Grafana\'s webhook version "1" '
         '(version "4" is Alertmanager\'s).'),
        ("alertmanager", changed("alertmanager_firing", "alerts", DELETE), "alerts is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts", {}),
         "alerts is an object, not an array."),
        ("alertmanager", changed("alertmanager_firing", "alerts", [{}] * 1001),
         "alerts has 1,001 entries; one body takes at most 1,000."),
        ("alertmanager", changed("alertmanager_truncated", "truncatedAlerts", -1),
         "truncatedAlerts is -1; it must be a number of alerts from 0 to 2,147,483,647."),
        ("alertmanager", changed("alertmanager_truncated", "truncatedAlerts", "2"),
         'truncatedAlerts is "2"; it must be a number of alerts from 0 to 2,147,483,647.'),
        ("alertmanager", changed("alertmanager_firing", "alerts.1", "firing"),
         "alerts[1] is a string, not an object."),
        ("alertmanager", changed("alertmanager_firing", "alerts.2.labels.alertname", DELETE),
         "alerts[2].labels.alertname is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.labels.alertname", "  "),
         "alerts[0].labels.alertname is empty."),
        ("grafana", changed("grafana_firing", "alerts.0.labels.alertname", 7),
         "alerts[0].labels.alertname is a number, not a string."),
        ("alertmanager", changed("alertmanager_firing", "alerts.1.status", "pending"),
         'alerts[1].status is "pending"; it must be "firing" or "resolved".'),
        ("grafana", changed("grafana_firing", "alerts.1.status", DELETE),
         "alerts[1].status is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.labels", "alertname=X"),
         "alerts[0].labels is a string, not an object."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.labels", DELETE),
         "alerts[0].labels is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.labels",
                                 {f"l{i}": "v" for i in range(101)}),
         "alerts[0].labels has 101 labels; an alert takes at most 100."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.fingerprint", DELETE),
         "alerts[0].fingerprint is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.startsAt", "yesterday"),
         f"alerts[0].startsAt {NOT_RFC3339}"),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.startsAt", DELETE),
         "alerts[0].startsAt is missing."),
        ("alertmanager", changed("alertmanager_firing", "alerts.0.startsAt", 1764324000),
         "alerts[0].startsAt is a number, not a time."),
        ("grafana", changed("grafana_resolved", "alerts.0.endsAt", "2026-02-30T10:00:00Z"),
         'alerts[0].endsAt is "2026-02-30T10:00:00Z", not a valid date and time.'),
        ("grafana", changed("grafana_resolved", "alerts.0.endsAt", "2026-11-28T10:00:00+24:00"),
         'alerts[0].endsAt is "2026-11-28T10:00:00+24:00", not an RFC 3339 time such as '
         '"2026-11-28T10:00:00Z".'),
        # PagerDuty
        ("pagerduty", b'{"messages": []}', "event is missing."),
        ("pagerduty", changed("pagerduty_triggered", "event.event_type", DELETE),
         "event.event_type is missing."),
        ("pagerduty", changed("pagerduty_triggered", "event.data", DELETE),
         "event.data is missing."),
        ("pagerduty", changed("pagerduty_triggered", "event.data.id", ""),
         "event.data.id is empty."),
        ("pagerduty", changed("pagerduty_triggered", "event.data.title", DELETE),
         "event.data.title is missing."),
        ("pagerduty", changed("pagerduty_triggered", "event.data.created_at", "today"),
         'event.data.created_at is "today", not an RFC 3339 time such as '
         '"2026-11-28T10:00:00Z".'),
        ("pagerduty", changed("pagerduty_resolved", "event.occurred_at", DELETE),
         "event.occurred_at is missing."),
        # Generic
        ("generic", b"[]", "The body is an array, not an object."),
        ("generic", encoded({"status": "firing"}), "name is missing."),
        ("generic", encoded({"name": "X", "status": "fired"}),
         'status is "fired"; it must be "firing" or "resolved".'),
        ("generic", encoded({"name": "X", "status": "firing", "labels": ["a"]}),
         "labels is an array, not an object."),
        ("generic", encoded({"name": "X", "status": "firing", "fingerprint": 12}),
         "fingerprint is a number, not a string."),
        ("generic", encoded({"name": "X", "status": "firing", "started_at": "yesterday"}),
         f"started_at {NOT_RFC3339}"),
        ("generic", changed("generic_list", "alerts.1.name", DELETE), "alerts[1].name is missing."),
        ("generic", changed("generic_list", "alerts.0", None), "alerts[0] is null, not an object."),
        ("generic", changed("generic_list", "alerts.0.ended_at", True),
         "alerts[0].ended_at is true, not a time."),
        ("generic", encoded({"alerts": [{"name": "X", "status": "firing"}] * 1001}),
         "alerts has 1,001 entries; one body takes at most 1,000."),
    ],
)  # fmt: skip
def test_a_body_not_in_the_sources_format_is_refused_with_a_sentence_saying_where(
    source, body, message
):
    assert refusal(source, body) == message


# PagerDuty's signature ----------------------------------------------------------------

SECRET = "whsec_5f0d3a9c1b7e4d2a"


def signed(body: bytes, secret: str = SECRET) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_body_signed_with_the_secret_is_accepted():
    body = raw("pagerduty_triggered")
    assert pagerduty_signature_ok(SECRET, body, signed(body))


def test_one_matching_signature_among_several_is_enough():
    body = raw("pagerduty_triggered")
    header = f"{signed(body, 'whsec_old')}, {signed(body)}"
    assert pagerduty_signature_ok(SECRET, body, header)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param(signed(b"{}"), id="another body"),
        pytest.param(signed(b"x", "whsec_other"), id="another secret"),
        pytest.param(f"{signed(b'x', 'a')},{signed(b'x', 'b')}", id="several, none matching"),
        pytest.param("v1=", id="no digest"),
        pytest.param("v1=zz\u00e9\u2603", id="not hex"),
    ],
)
def test_a_body_without_a_matching_signature_is_not_accepted(header):
    assert not pagerduty_signature_ok(SECRET, b"x", header)


def test_a_digest_under_another_scheme_than_v1_is_not_accepted():
    body = raw("pagerduty_triggered")
    assert not pagerduty_signature_ok(SECRET, body, signed(body).replace("v1=", "v2="))


def test_an_empty_secret_accepts_nothing_not_even_a_body_signed_with_an_empty_key():
    assert not pagerduty_signature_ok("", b"x", signed(b"x", ""))


# Any input: a Parsed or a PayloadError ----------------------------------------------------

FIXTURES = [
    ("alertmanager", "alertmanager_firing"),
    ("alertmanager", "alertmanager_resolved"),
    ("alertmanager", "alertmanager_truncated"),
    ("alertmanager", "alertmanager_extra_fields"),
    ("grafana", "grafana_firing"),
    ("grafana", "grafana_resolved"),
    ("pagerduty", "pagerduty_triggered"),
    ("pagerduty", "pagerduty_resolved"),
    ("pagerduty", "pagerduty_acknowledged"),
    ("generic", "generic_single"),
    ("generic", "generic_list"),
]
# Random keys are mostly the formats' own, so that random objects reach past the first check.
KEYS = st.sampled_from(
    ["version", "alerts", "status", "labels", "alertname", "fingerprint", "startsAt",
     "endsAt", "truncatedAlerts", "event", "event_type", "data", "id", "title",
     "occurred_at", "created_at", "name", "started_at", "ended_at"]
) | st.text(max_size=8)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(exclude_categories=()))  # surrogates and NUL included
    | st.sampled_from(["4", "1", "firing", "resolved", "incident.triggered",
                       "incident.resolved", "2026-11-28T10:00:00Z", "0001-01-01T00:00:00Z"])
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=20,
)
SMALL = settings(max_examples=200, deadline=None)


def parses_or_refuses(source: str, body: bytes) -> None:
    try:
        parsed = parse(source, body)
    except PayloadError as error:
        message = str(error)
        assert message.endswith(".")
        assert "\n" not in message
        return
    assert isinstance(parsed, Parsed)
    assert parsed.truncated >= 0
    assert len(parsed.notifications) <= 1000
    for notification in parsed.notifications:
        assert notification.state in State.values
        assert 0 < len(notification.alert_key) <= 200
        assert 0 < len(notification.dedup_key) <= 200
        assert len(notification.episode) <= 64
        assert len(notification.labels) <= 100
        texts = [
            notification.alert_key,
            notification.dedup_key,
            notification.episode,
            *notification.labels,
            *notification.labels.values(),
        ]
        for text in texts:
            assert isinstance(text, str)
            assert "\x00" not in text
            text.encode("utf-8")  # storable: no lone surrogate
        for moment in (notification.started_at, notification.ended_at):
            assert moment is None or moment.utcoffset() == timedelta(0)


@SMALL
@given(source=st.sampled_from(SOURCES), body=st.binary(max_size=300))
def test_random_bytes_are_parsed_or_refused(source, body):
    parses_or_refuses(source, body)


@SMALL
@given(source=st.sampled_from(SOURCES), value=JSON)
def test_random_json_is_parsed_or_refused(source, value):
    parses_or_refuses(source, encoded(value))


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", [name for _, name in FIXTURES])
def test_every_real_payload_sent_to_any_source_is_parsed_or_refused(source, name):
    parses_or_refuses(source, raw(name))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, the document itself first."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    found = [prefix]
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


def damaged(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return None if value is DELETE else value
    root = copy.deepcopy(root)
    container = root
    for key in path[:-1]:
        container = container[key]
    if value is DELETE:
        del container[path[-1]]
    else:
        container[path[-1]] = value
    return root


@SMALL
@given(data=st.data())
def test_a_real_payload_with_random_values_in_random_places_is_parsed_or_refused(data):
    source, name = data.draw(st.sampled_from(FIXTURES))
    root = document(name)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(root)))
        root = damaged(root, path, data.draw(JSON | st.just(DELETE)))
    parses_or_refuses(source, encoded(root))


@SMALL
@given(data=st.data())
def test_a_real_payload_with_random_bytes_in_a_random_place_is_parsed_or_refused(data):
    source, name = data.draw(st.sampled_from(FIXTURES))
    body = bytearray(raw(name))
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, min(start + 16, len(body))))
    body[start:end] = data.draw(st.binary(max_size=16))
    parses_or_refuses(source, bytes(body))
