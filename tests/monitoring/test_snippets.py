"""The paste-ready setup texts of `apps/monitoring/snippets.py`: pure, no database.

The YAML snippets are parsed with PyYAML (in the dev lock, through djlint), and
the Alertmanager ones are checked by Alertmanager's own `amtool check-config` where
amtool is installed, so "valid configuration" is the tool's verdict, not ours.
"""

import json
import shlex
import shutil
import subprocess

import pytest
import yaml

from apps.monitoring import snippets, sources
from apps.monitoring.models import Source

TOKEN = "q4Xf2n0S_kYxZ-3mVh8c1Rb7WdPjLuTe9oAsGiNy5Hw"


def url_for(source: str) -> str:
    return f"https://transition.example.com/hooks/{source}/{TOKEN}/"


def by_title(source: str, **kwargs) -> dict[str, snippets.Snippet]:
    found = snippets.for_source(source, url_for(source), name="Production: main #1", **kwargs)
    return {snippet.title: snippet for snippet in found}


@pytest.mark.parametrize("source", Source.values)
def test_every_source_has_snippets_that_carry_its_address(source):
    found = snippets.for_source(source, url_for(source), name="Production")
    assert found
    assert any(url_for(source) in snippet.text for snippet in found)
    assert {snippet.language for snippet in found} <= {"yaml", "json", "shell", "text"}


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="nagios"):
        snippets.for_source("nagios", url_for("nagios"), name="Production")


def test_the_alertmanager_receiver_sends_resolved_alerts_to_the_address_once():
    text = by_title(Source.ALERTMANAGER)["alertmanager.yml receiver"].text
    (receiver,) = yaml.safe_load(text)["receivers"]
    assert receiver["name"] == "transition-production-main-1"
    assert receiver["webhook_configs"] == [
        {"url": url_for(Source.ALERTMANAGER), "send_resolved": True, "max_alerts": 0}
    ]
    assert text.count(url_for(Source.ALERTMANAGER)) == 1


def test_the_alertmanager_route_continues_so_existing_routing_keeps_working():
    found = by_title(Source.ALERTMANAGER)
    (route,) = yaml.safe_load(found["alertmanager.yml route"].text)["route"]["routes"]
    assert route == {"receiver": "transition-production-main-1", "continue": True}


AMTOOL = shutil.which("amtool")


@pytest.mark.skipif(AMTOOL is None, reason="amtool is not installed")
def test_alertmanager_accepts_the_receiver_and_the_route(tmp_path):
    found = by_title(Source.ALERTMANAGER)
    receivers = yaml.safe_load(found["alertmanager.yml receiver"].text)["receivers"]
    child = yaml.safe_load(found["alertmanager.yml route"].text)["route"]["routes"]
    # An existing configuration the snippets are merged into: a default receiver and
    # a child route of its own, after the Transition one.
    config = {
        "route": {
            "receiver": "default",
            "routes": [*child, {"receiver": "default", "matchers": ['team="db"']}],
        },
        "receivers": [{"name": "default"}, *receivers],
    }
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [AMTOOL, "check-config", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_alertmanager_test_lines_fire_then_resolve_the_same_alert():
    text = by_title(Source.ALERTMANAGER)["Test notification"].text
    lines = [line for line in text.replace("\\\n", "").splitlines() if line.startswith("amtool")]
    assert len(lines) == 2
    fire, resolve = lines
    assert "TransitionTest severity=critical" in fire
    assert "TransitionTest severity=critical" in resolve
    assert "--end=" not in fire
    assert "--end=" in resolve


def test_the_grafana_provisioning_file_posts_to_the_address_with_resolve_messages():
    found = by_title(Source.GRAFANA)
    text = found["Grafana provisioning file"].text
    document = yaml.safe_load(text)
    assert document["apiVersion"] == 1
    (contact_point,) = document["contactPoints"]
    assert contact_point["name"] == "Production: main #1"
    (receiver,) = contact_point["receivers"]
    assert receiver["type"] == "webhook"
    assert receiver["settings"] == {"url": url_for(Source.GRAFANA), "httpMethod": "POST"}
    assert receiver["disableResolveMessage"] is False
    assert len(receiver["uid"]) <= 40
    assert text.count(url_for(Source.GRAFANA)) == 1
    steps = found["Grafana contact point"].text
    assert url_for(Source.GRAFANA) in steps
    assert "POST" in steps


def test_a_long_integration_name_still_gives_grafana_a_short_uid():
    found = snippets.for_source(Source.GRAFANA, url_for(Source.GRAFANA), name="x" * 100)
    document = yaml.safe_load(found[1].text)
    assert len(document["contactPoints"][0]["receivers"][0]["uid"]) <= 40


def test_the_pagerduty_steps_subscribe_to_triggered_and_resolved_incidents():
    steps = by_title(Source.PAGERDUTY)["PagerDuty webhook subscription"].text
    assert "Generic Webhooks (v3)" in steps
    assert url_for(Source.PAGERDUTY) in steps
    assert "incident.triggered" in steps
    assert "incident.resolved" in steps


@pytest.mark.parametrize(
    ("signing_secret_set", "says"),
    [(False, "No signing secret is set yet"), (True, "A signing secret is set")],
)
def test_the_pagerduty_signing_secret_says_whether_it_is_set(signing_secret_set, says):
    found = by_title(Source.PAGERDUTY, signing_secret_set=signing_secret_set)
    assert found["Signing secret"].text.startswith(says)


def _curl_data(line: str) -> bytes:
    words = shlex.split(line)
    assert words[:4] == ["curl", "-X", "POST", "-H"]
    assert words[4] == "Content-Type: application/json"
    assert words[-1] == url_for(Source.GENERIC)
    return words[words.index("--data") + 1].encode()


def _curl_body(line: str) -> dict:
    return json.loads(_curl_data(line))


def test_the_generic_curl_lines_send_a_firing_and_a_matching_resolved_notification():
    found = by_title(Source.GENERIC)
    firing = _curl_body(found["Test: firing"].text)
    resolved = _curl_body(found["Test: resolved"].text)
    assert firing["status"] == "firing"
    assert resolved["status"] == "resolved"
    assert {**firing, "status": "resolved"} == resolved


def test_the_generic_example_body_is_json_in_the_documented_shape():
    found = by_title(Source.GENERIC)
    (alert,) = json.loads(found["Example body"].text)["alerts"]
    assert alert["status"] in {"firing", "resolved"}
    assert set(alert) <= {"name", "status", "labels", "fingerprint", "started_at", "ended_at"}
    for field in alert:
        assert field in found["Generic JSON format"].text


def test_the_generic_curl_bodies_are_accepted_and_pair_up():
    found = by_title(Source.GENERIC)
    (firing,) = sources.parse(Source.GENERIC, _curl_data(found["Test: firing"].text)).notifications
    (resolved,) = sources.parse(
        Source.GENERIC, _curl_data(found["Test: resolved"].text)
    ).notifications
    assert (firing.state, resolved.state) == ("firing", "resolved")
    assert (firing.dedup_key, firing.episode) == (resolved.dedup_key, resolved.episode)
