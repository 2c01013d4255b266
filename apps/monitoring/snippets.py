"""What to paste into each monitoring tool so that it calls an integration's webhook.

An integration is only useful once the sender is configured, and each tool wants it
said in its own words: an Alertmanager receiver and route, a Grafana contact point,
a PagerDuty webhook subscription, a curl line for anything else. `for_source(...)`
writes those texts for one integration, ready to paste, so the integration page
shows them next to the address instead of pointing at four manuals.

What every snippet keeps, because verification depends on it:
- resolved notifications are sent (Alertmanager's `send_resolved: true`, Grafana's
  resolve message left on, PagerDuty's `incident.resolved`): an alert is proven only
  by a firing *and* a resolved event;
- the existing routing keeps working: the Alertmanager route is a child route with
  `continue: true`, so alerts go on to the routes after it.

The address carries the integration's secret token: the snippets are as secret as
the address and are shown only to people who may see it.

Pure text, no database: the view passes the absolute address and the integration's
name.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils.text import slugify

from apps.monitoring.models import Source

Language = Literal["yaml", "json", "shell", "text"]

# The name a test notification carries; verifying an inventory alert means sending
# that alert's own name instead.
TEST_ALERT = "TransitionTest"


@dataclass(frozen=True)
class Snippet:
    title: str  # "alertmanager.yml receiver"
    language: Language
    text: str  # ready to paste
    note: str = ""  # one sentence on where it goes


def for_source(
    source: str, url: str, *, name: str, signing_secret_set: bool = False
) -> tuple[Snippet, ...]:
    """The snippets that point `source` at `url`, the integration's absolute webhook
    address; `name` is the integration's name ("Production Alertmanager"), used to
    name the receiver or contact point. `signing_secret_set` says whether a PagerDuty
    integration already has its signing secret. Raises ValueError for a source this
    module does not know."""
    try:
        build = BUILDERS[source]
    except KeyError:
        raise ValueError(f"No snippets for source {source!r}.") from None
    return build(url=url, name=name, signing_secret_set=signing_secret_set)


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is valid YAML, and quoting
    keeps a name with a colon or a hash from changing the document's structure."""
    return json.dumps(value, ensure_ascii=False)


def _receiver_name(name: str) -> str:
    return f"transition-{slugify(name) or 'webhook'}"


def _alertmanager(*, url: str, name: str, signing_secret_set: bool) -> tuple[Snippet, ...]:
    receiver = _quoted(_receiver_name(name))
    receivers = f"""\
receivers:
  - name: {receiver}
    webhook_configs:
      - url: {_quoted(url)}
        send_resolved: true
        # 0: every alert of a group in one request.
        max_alerts: 0
"""
    route = f"""\
route:
  routes:
    # First among your route's child routes: continue: true lets every alert go on
    # to the routes after this one, so your existing routing keeps working.
    - receiver: {receiver}
      continue: true
"""
    test = f"""\
amtool alert add {TEST_ALERT} severity=critical --annotation=summary="Transition webhook test" \\
  --alertmanager.url=http://localhost:9093
# Then resolve it: the same labels, ending now.
amtool alert add {TEST_ALERT} severity=critical --annotation=summary="Transition webhook test" \\
  --end="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --alertmanager.url=http://localhost:9093
"""
    return (
        Snippet(
            "alertmanager.yml receiver",
            "yaml",
            receivers,
            "Add this entry to the receivers: list of alertmanager.yml.",
        ),
        Snippet(
            "alertmanager.yml route",
            "yaml",
            route,
            "Put this child route first under the routes: of your top-level route:, "
            "then reload Alertmanager (SIGHUP or POST /-/reload).",
        ),
        Snippet(
            "Test notification",
            "shell",
            test,
            "Run it where amtool reaches Alertmanager; the firing notification follows "
            "after the route's group_wait, the resolved one after its group_interval "
            "(30 s and 5 min by default).",
        ),
    )


def _grafana(*, url: str, name: str, signing_secret_set: bool) -> tuple[Snippet, ...]:
    steps = f"""\
1. In Grafana, open Alerting > Contact points and click "+ Add contact point"
   (in Grafana 11 and later, under Alerts & IRM).
2. Name: {name}
3. Integration: Webhook
4. URL: {url}
5. Under "Optional Webhook settings", HTTP Method: POST
6. Leave "Disable resolved message" unchecked: Transition needs the resolved notification.
7. Save the contact point, then add a notification policy that sends the alerts to it
   (with "Continue matching subsequent sibling nodes" on, to keep your other policies).
"""
    # Grafana caps a provisioned receiver's uid at 40 characters.
    uid = _receiver_name(name)[:40].rstrip("-")
    provisioning = f"""\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: {_quoted(name)}
    receivers:
      - uid: {_quoted(uid)}
        type: webhook
        settings:
          url: {_quoted(url)}
          httpMethod: POST
        disableResolveMessage: false
"""
    return (
        Snippet(
            "Grafana contact point",
            "text",
            steps,
            "In Grafana 10 or later, by hand in the Alerting pages.",
        ),
        Snippet(
            "Grafana provisioning file",
            "yaml",
            provisioning,
            "Or as a file under provisioning/alerting/ of Grafana's provisioning "
            "directory, read when Grafana starts.",
        ),
    )


def _pagerduty(*, url: str, name: str, signing_secret_set: bool) -> tuple[Snippet, ...]:
    steps = f"""\
1. In PagerDuty, open Integrations > Generic Webhooks (v3) and click "+ New Webhook".
2. Webhook URL: {url}
3. Scope type: the service (or team, or account) whose incidents Transition should see.
4. Description: {name}
5. Event subscription: select only incident.triggered and incident.resolved.
6. Click "Add Webhook". PagerDuty shows the subscription's signing secret once: copy it.
"""
    if signing_secret_set:
        state = (
            "A signing secret is set: Transition refuses deliveries without a valid "
            "X-PagerDuty-Signature. If you create a new subscription, paste its new "
            "secret here."
        )
    else:
        state = (
            "No signing secret is set yet: paste the secret PagerDuty showed into this "
            "integration's signing secret field, so that Transition refuses deliveries "
            "without a valid X-PagerDuty-Signature."
        )
    return (
        Snippet(
            "PagerDuty webhook subscription",
            "text",
            steps,
            "Alerts are matched by incident title: name the inventory's alerts as "
            "PagerDuty titles the incidents.",
        ),
        Snippet(
            "Signing secret",
            "text",
            state,
            "The secret goes into this integration's settings in Transition, not into PagerDuty.",
        ),
    )


def _generic(*, url: str, name: str, signing_secret_set: bool) -> tuple[Snippet, ...]:
    fields = """\
POST one JSON object, or several as {"alerts": [...]}, with Content-Type: application/json.
Each object:
  name         required  the alert's name, as in Transition's inventory
  status       required  "firing" or "resolved"
  labels       optional  an object of string values, matched against the alert's matchers
  fingerprint  optional  the same value in the firing and the resolved notification
                         (without one, the same name and labels in both)
  started_at   optional  when this episode began, RFC 3339 (2026-11-28T10:00:00Z);
                         when given, the same in the firing and the resolved notification
  ended_at     optional  when it resolved, RFC 3339
"""
    example = {
        "alerts": [
            {
                "name": "HighErrorRate",
                "status": "firing",
                "labels": {"service": "payments", "severity": "critical"},
                "fingerprint": "payments-high-error-rate",
                "started_at": "2025-06-02T09:14:00Z",
            }
        ]
    }
    return (
        Snippet(
            "Generic JSON format",
            "text",
            fields,
            "Send it from any tool or script that can make an HTTP request.",
        ),
        Snippet("Example body", "json", json.dumps(example, indent=2) + "\n"),
        Snippet(
            "Test: firing",
            "shell",
            _curl(url, "firing"),
            "Run it from a shell; then run the resolved one.",
        ),
        Snippet(
            "Test: resolved",
            "shell",
            _curl(url, "resolved"),
            "The same name, labels and fingerprint as the firing one, so the two match.",
        ),
    )


def _curl(url: str, status: str) -> str:
    body = json.dumps(
        {
            "name": TEST_ALERT,
            "status": status,
            "labels": {"severity": "critical"},
            "fingerprint": "transition-test",
        }
    )
    return (
        "curl -X POST -H 'Content-Type: application/json' "
        f"--data {shlex.quote(body)} {shlex.quote(url)}\n"
    )


BUILDERS: dict[str, Callable[..., tuple[Snippet, ...]]] = {
    Source.ALERTMANAGER: _alertmanager,
    Source.GRAFANA: _grafana,
    Source.PAGERDUTY: _pagerduty,
    Source.GENERIC: _generic,
}
