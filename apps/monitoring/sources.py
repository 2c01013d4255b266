"""Webhook bodies in, notifications out: the four formats the receivers accept.

Pure (no database, no clock). `parse(source, body)` decodes the raw bytes itself and
returns a `Parsed`, or raises `PayloadError` whose text is one sentence naming what
was wrong and where (`alerts[2].labels.alertname is missing.`), for the 400 answer
that the sender's log will show. It raises nothing else for any input at all, so a
malformed or hostile body is a 400 and never a 500; the tests hold it to that with
random bytes, random JSON and randomly damaged real payloads.

What each source gives a `Notification`:

| field | Alertmanager, Grafana | PagerDuty | generic |
| --- | --- | --- | --- |
| `alert_key` | `labels.alertname` | `event.data.title` | `name` |
| `dedup_key` | `fingerprint` | `event.data.id` (the incident) | `fingerprint`, or derived |
| `episode` | `startsAt` as sent | empty (an incident is one) | `started_at` as sent, or empty |
| `started_at` | `startsAt` | `event.data.created_at` | `started_at` |
| `ended_at` | `endsAt` | `event.occurred_at` when resolved | `ended_at` |

Alertmanager sends its webhook version "4", Grafana's webhook contact point version
"1"; another version is refused, because its fields may mean something else. Of
PagerDuty's webhooks (v3) only `incident.triggered` (firing) and `incident.resolved`
carry a notification; any other event (acknowledged, annotated, the `pagey.ping`
test) is a valid body with none. PagerDuty's labels are `service`, `urgency`,
`priority` and `incident_key`, each when the incident has it.

Everywhere: a time is RFC 3339, converted to UTC, with any digits past microseconds
dropped (Alertmanager writes nanoseconds); Go's zero time `0001-01-01T00:00:00Z`,
which Alertmanager and Grafana send for "not ended", is no time. Label values that
are numbers or true/false become text as JSON writes them; nested values and null
are dropped. A body holds at most 1,000 notifications and an alert at most 100
labels; longer names, keys and episodes are cut to their columns' lengths rather
than refused. NUL characters and unpaired surrogates (both valid in JSON text) are
removed or replaced, because neither can be stored in PostgreSQL.

## The generic JSON format

For any tool that can send an HTTP POST with a JSON body: send one alert as an
object, or several as `{"alerts": [...]}` (at most 1,000). An alert:

    {
      "name": "PaymentsLatencyHigh",
      "status": "firing",
      "labels": {"service": "payments", "env": "production"},
      "fingerprint": "payments-latency-prod",
      "started_at": "2026-11-28T10:00:00Z",
      "ended_at": "2026-11-28T10:20:00Z"
    }

- `name` (required): the alert's name, as the alert is named in Transition's
  inventory. Up to 200 characters; longer names are cut.
- `status` (required): `"firing"` or `"resolved"`.
- `labels` (optional): an object of at most 100 labels, matched against the alert's
  label matchers (`service=payments`). Values should be text; numbers and
  true/false are turned into text, other values are ignored.
- `fingerprint` (optional): identifies the alert, so that its resolution is matched
  to its firing. Send the same fingerprint in both. Without one, Transition derives
  it from the name and the labels, so then send the same name and labels in both.
- `started_at` (optional): when this episode of the alert began, an RFC 3339 time
  such as `2026-11-28T10:00:00Z` or `2026-11-28T11:00:00+01:00`. Send the same
  value with the firing and the resolved notification. It also tells one episode
  from the next: without it, an alert that fires again after it resolved counts as
  the same notification as its first firing.
- `ended_at` (optional): when it resolved, an RFC 3339 time.

Sending the same notification twice is harmless: it is recorded once. Any other
field is ignored. A body that does not follow this is answered with status 400 and
a sentence saying what to fix.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from apps.monitoring.models import AlertEvent, State

SOURCES = ("alertmanager", "grafana", "pagerduty", "generic")

MAX_NOTIFICATIONS = 1000
MAX_LABELS = 100
ALERT_KEY_MAX_LENGTH = AlertEvent._meta.get_field("alert_key").max_length or 200
DEDUP_KEY_MAX_LENGTH = AlertEvent._meta.get_field("dedup_key").max_length or 200
EPISODE_MAX_LENGTH = AlertEvent._meta.get_field("episode").max_length or 64
# Delivery.truncated is a PositiveIntegerField: the largest value every database takes.
MAX_TRUNCATED = 2_147_483_647

# RFC 3339, ASCII digits only (`\d` would take any script's digits); the offset is one
# `datetime.timezone` takes (under 24 hours).
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:[Zz]|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Go's zero time.Time: what Alertmanager and Grafana write for "no end yet".
_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Notification:
    alert_key: str
    labels: dict[str, str]
    state: str  # a State value
    dedup_key: str
    episode: str
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Parsed:
    notifications: tuple[Notification, ...]
    truncated: int = 0  # Alertmanager's and Grafana's truncatedAlerts: alerts left out


class PayloadError(ValueError):
    """The body is not the source's format; the text says what and where, as a sentence."""


def parse(source: str, body: bytes) -> Parsed:
    """The notifications in `body` as `source` sends them; `PayloadError` and nothing else."""
    reader = _READERS.get(source)
    if reader is None:
        raise PayloadError(f"{_shown(source)} is not a source: use one of {', '.join(SOURCES)}.")
    return reader(_decode(body))


def pagerduty_signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `X-PagerDuty-Signature` holds a `v1=` HMAC-SHA256 of `body` under `secret`.

    PagerDuty sends several comma-separated signatures while a secret is being
    rotated; one match is enough. An empty secret matches nothing: anyone can sign
    with an empty key.
    """
    if not secret or not header:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    for signature in header.split(","):
        version, _, digest = signature.strip().partition("=")
        given = digest.strip().lower().encode("utf-8", "replace")
        if version == "v1" and hmac.compare_digest(expected, given):
            return True
    return False


def _decode(body: bytes) -> Any:
    try:
        # utf-8-sig: a leading byte order mark (some Windows tools write one) is not an error.
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PayloadError(
            f"The body is not UTF-8 text: byte {error.start} is not valid UTF-8."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"The body is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits (CVE-2020-10735).
        raise PayloadError("The body holds a number too long to read.") from None
    except RecursionError:
        raise PayloadError("The body is nested too deeply to read.") from None


# Alertmanager and Grafana -------------------------------------------------------------


def _alertmanager(payload: Any) -> Parsed:
    group = _object(payload, "The body")
    _check_version(group, expected="4", sender="Alertmanager", other=("1", "Grafana"))
    return _alert_group(group)


def _grafana(payload: Any) -> Parsed:
    group = _object(payload, "The body")
    _check_version(group, expected="1", sender="Grafana", other=("4", "Alertmanager"))
    return _alert_group(group)


def _check_version(
    group: dict[str, Any], *, expected: str, sender: str, other: tuple[str, str]
) -> None:
    version = group.get("version")
    if version == expected:
        return
    takes = f"this address takes {sender}'s webhook version {_shown(expected)}"
    if version is None:
        raise PayloadError(f"version is missing: {takes}.")
    hint = f" (version {_shown(other[0])} is {other[1]}'s)" if version == other[0] else ""
    raise PayloadError(f"version is {_shown(version)}, but {takes}{hint}.")


def _alert_group(group: dict[str, Any]) -> Parsed:
    alerts = _array(_required(group, "alerts", "alerts"), "alerts")
    truncated = group.get("truncatedAlerts")
    if truncated is None:
        truncated = 0
    elif not _is_int(truncated) or not 0 <= truncated <= MAX_TRUNCATED:
        raise PayloadError(
            f"truncatedAlerts is {_shown(truncated)}; it must be a number of alerts from 0 "
            f"to {MAX_TRUNCATED:,}."
        )
    return Parsed(
        notifications=tuple(_alert(alert, f"alerts[{i}]") for i, alert in enumerate(alerts)),
        truncated=truncated,
    )


def _alert(value: Any, where: str) -> Notification:
    alert = _object(value, where)
    state = _state(alert.get("status"), f"{where}.status")
    raw_labels = _object(_required(alert, "labels", f"{where}.labels"), f"{where}.labels")
    labels = _labels(raw_labels, f"{where}.labels")
    alert_key = _text(raw_labels, "alertname", f"{where}.labels.alertname")
    fingerprint = _text(alert, "fingerprint", f"{where}.fingerprint")
    starts_at = _required(alert, "startsAt", f"{where}.startsAt")
    started_at = _time(starts_at, f"{where}.startsAt")  # so starts_at is an RFC 3339 string
    return Notification(
        alert_key=alert_key[:ALERT_KEY_MAX_LENGTH],
        labels=labels,
        state=state,
        dedup_key=fingerprint[:DEDUP_KEY_MAX_LENGTH],
        episode=starts_at[:EPISODE_MAX_LENGTH],
        started_at=started_at,
        ended_at=_optional_time(alert.get("endsAt"), f"{where}.endsAt"),
    )


# PagerDuty ------------------------------------------------------------------------------

_PAGERDUTY_STATES = {
    "incident.triggered": State.FIRING.value,
    "incident.resolved": State.RESOLVED.value,
}


def _pagerduty(payload: Any) -> Parsed:
    body = _object(payload, "The body")
    event = _object(_required(body, "event", "event"), "event")
    state = _PAGERDUTY_STATES.get(_text(event, "event_type", "event.event_type"))
    if state is None:
        return Parsed(notifications=())
    incident = _object(_required(event, "data", "event.data"), "event.data")
    incident_id = _text(incident, "id", "event.data.id")
    title = _text(incident, "title", "event.data.title")
    started_at = _optional_time(incident.get("created_at"), "event.data.created_at")
    ended_at = None
    if state == State.RESOLVED:
        ended_at = _time(_required(event, "occurred_at", "event.occurred_at"), "event.occurred_at")
    notification = Notification(
        alert_key=title[:ALERT_KEY_MAX_LENGTH],
        labels=_pagerduty_labels(incident),
        state=state,
        dedup_key=incident_id[:DEDUP_KEY_MAX_LENGTH],
        episode="",
        started_at=started_at,
        ended_at=ended_at,
    )
    return Parsed(notifications=(notification,))


def _pagerduty_labels(incident: dict[str, Any]) -> dict[str, str]:
    service = incident.get("service")
    priority = incident.get("priority")
    found = {
        "service": service.get("summary") if isinstance(service, dict) else None,
        "urgency": incident.get("urgency"),
        "priority": priority.get("summary") if isinstance(priority, dict) else None,
        "incident_key": incident.get("incident_key"),
    }
    return {key: text for key, value in found.items() if (text := _label_value(value)) is not None}


# Generic --------------------------------------------------------------------------------


def _generic(payload: Any) -> Parsed:
    body = _object(payload, "The body")
    if "alerts" not in body:
        return Parsed(notifications=(_generic_alert(body, ""),))
    alerts = _array(body["alerts"], "alerts")
    return Parsed(
        notifications=tuple(
            _generic_alert(_object(alert, f"alerts[{i}]"), f"alerts[{i}]")
            for i, alert in enumerate(alerts)
        )
    )


def _generic_alert(alert: dict[str, Any], where: str) -> Notification:
    name = _text(alert, "name", _at(where, "name"))
    state = _state(alert.get("status"), _at(where, "status"))
    raw_labels = alert.get("labels")
    labels = (
        {}
        if raw_labels is None
        else _labels(_object(raw_labels, _at(where, "labels")), _at(where, "labels"))
    )
    if alert.get("fingerprint") is None:
        fingerprint = _derived_fingerprint(name, labels)
    else:
        fingerprint = _text(alert, "fingerprint", _at(where, "fingerprint"))
    starts_at = alert.get("started_at")
    started_at = _optional_time(starts_at, _at(where, "started_at"))  # starts_at: RFC 3339 or None
    return Notification(
        alert_key=name[:ALERT_KEY_MAX_LENGTH],
        labels=labels,
        state=state,
        dedup_key=fingerprint[:DEDUP_KEY_MAX_LENGTH],
        episode=starts_at[:EPISODE_MAX_LENGTH] if starts_at is not None else "",
        started_at=started_at,
        ended_at=_optional_time(alert.get("ended_at"), _at(where, "ended_at")),
    )


def _derived_fingerprint(name: str, labels: dict[str, str]) -> str:
    """The same name and labels, in any order, give the same fingerprint."""
    canonical = json.dumps(
        [name, sorted(labels.items())], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


# Shared checks --------------------------------------------------------------------------


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _required(container: dict[str, Any], key: str, where: str) -> Any:
    value = container.get(key)
    if value is None:
        raise PayloadError(f"{where} is missing.")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} is {_kind(value)}, not an object.")
    return value


def _array(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(f"{where} is {_kind(value)}, not an array.")
    if len(value) > MAX_NOTIFICATIONS:
        raise PayloadError(
            f"{where} has {len(value):,} entries; one body takes at most {MAX_NOTIFICATIONS:,}."
        )
    return value


def _text(container: dict[str, Any], key: str, where: str) -> str:
    """A required, non-blank string, cleaned (see `_clean`)."""
    value = _required(container, key, where)
    if not isinstance(value, str):
        raise PayloadError(f"{where} is {_kind(value)}, not a string.")
    text = _clean(value)
    if not text.strip():
        raise PayloadError(f"{where} is empty.")
    return text


def _state(value: Any, where: str) -> str:
    if value is None:
        raise PayloadError(f"{where} is missing.")
    if not isinstance(value, str) or value not in State.values:
        raise PayloadError(f'{where} is {_shown(value)}; it must be "firing" or "resolved".')
    return value


def _labels(raw: dict[str, Any], where: str) -> dict[str, str]:
    if len(raw) > MAX_LABELS:
        raise PayloadError(f"{where} has {len(raw):,} labels; an alert takes at most {MAX_LABELS}.")
    return {
        _clean(key): text for key, value in raw.items() if (text := _label_value(value)) is not None
    }


def _label_value(value: Any) -> str | None:
    """Text as JSON writes it for a string, number or true/false; None for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, int | float):
        return str(value)
    return None


def _clean(text: str) -> str:
    # PostgreSQL refuses NUL in text and JSON columns, and a lone surrogate ("\ud800"
    # is valid JSON; json.loads joins the pairs) cannot be encoded as UTF-8 at all.
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def _optional_time(value: Any, where: str) -> datetime | None:
    return None if value is None else _time(value, where)


def _time(value: Any, where: str) -> datetime | None:
    """An aware UTC datetime, or None for Go's zero time."""
    if not isinstance(value, str):
        raise PayloadError(f"{where} is {_kind(value)}, not a time.")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise PayloadError(
            f'{where} is {_shown(value)}, not an RFC 3339 time such as "2026-11-28T10:00:00Z".'
        )
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = (
        match.groups()
    )
    offset = timedelta(0)
    if sign is not None:
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        offset = -offset if sign == "-" else offset
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "")[:6].ljust(6, "0")),
            tzinfo=timezone(offset),
        )
        return None if moment == _ZERO_TIME else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        # February 30th, second 60, or a year 1 or 9999 that leaves the calendar in UTC.
        raise PayloadError(f"{where} is {_shown(value)}, not a valid date and time.") from None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return "a number"


def _shown(value: Any) -> str:
    """A scalar as JSON writes it, long strings cut; a container by its kind."""
    if isinstance(value, dict | list):
        return _kind(value)
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else f"{shown[:58]}…{shown[-1]}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_READERS: dict[str, Callable[[Any], Parsed]] = {
    "alertmanager": _alertmanager,
    "grafana": _grafana,
    "pagerduty": _pagerduty,
    "generic": _generic,
}
