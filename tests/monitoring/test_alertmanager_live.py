"""A real Alertmanager proves an alert through the webhook, end to end.

The parser is tested against recorded bodies elsewhere; this test asks the question
those cannot: does what Alertmanager actually sends, over HTTP, to the address the
snippets tell people to configure, turn into a verification? It starts the
Alertmanager binary (Debian's `prometheus-alertmanager`, or upstream `alertmanager`)
with a configuration of its own, posts an alert through Alertmanager's API v2, fires
it and resolves it, and waits for the verification.

Skipped where no Alertmanager binary is installed. Timers are cut to a second
(group_wait, group_interval), so the firing and the resolved notifications each
arrive about a second after the alert is posted.
"""

import datetime as dt
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from apps.monitoring.models import Alert, AlertEvent, Integration, Verification
from tests.factories import ProjectFactory

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = pytest.mark.skipif(ALERTMANAGER is None, reason="Alertmanager is not installed")

LABELS = {"alertname": "TransitionLiveCheck", "severity": "critical"}
DEADLINE_SECONDS = 60

# The sender's configuration, as small as delivers at once: one route to one webhook,
# a second of grouping, no repeat during the test, and no auto-resolve either (an
# alert posted without endsAt would otherwise resolve itself after resolve_timeout).
CONFIG = """\
global:
  resolve_timeout: 1h
route:
  receiver: transition
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 24h
receivers:
  - name: transition
    webhook_configs:
      - url: {url}
        send_resolved: true
        max_alerts: 0
"""

# Our own requests to Alertmanager go straight to it, whatever proxy the
# environment names.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    # Closed before Alertmanager binds it: another process could take it in between,
    # and the start then fails with "address already in use" in the log.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rfc3339(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _wait_for(condition: Callable[[], bool], until: float) -> bool:
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


class RunningAlertmanager:
    def __init__(self, address: str, log: Path) -> None:
        self.address = address
        self.log = log

    def post_alert(self, *, starts_at: dt.datetime, ends_at: dt.datetime | None = None) -> None:
        alert: dict[str, object] = {
            "labels": LABELS,
            "annotations": {"summary": "Transition live check"},
        }
        alert["startsAt"] = _rfc3339(starts_at)
        if ends_at is not None:
            alert["endsAt"] = _rfc3339(ends_at)
        request = urllib.request.Request(  # noqa: S310 (a local http address of ours)
            f"{self.address}/api/v2/alerts",
            data=json.dumps([alert]).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with _direct.open(request, timeout=10) as response:
            assert response.status == 200

    def ready(self) -> bool:
        try:
            with _direct.open(f"{self.address}/-/ready", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


@pytest.fixture
def start_alertmanager(tmp_path) -> Iterator[Callable[[str], RunningAlertmanager]]:
    processes: list[subprocess.Popen] = []

    def start(webhook_url: str) -> RunningAlertmanager:
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=json.dumps(webhook_url)))
        storage = tmp_path / "data"
        storage.mkdir()
        address = f"127.0.0.1:{_free_port()}"
        log = tmp_path / "alertmanager.log"
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [
                        ALERTMANAGER,
                        f"--config.file={config}",
                        f"--storage.path={storage}",
                        f"--web.listen-address={address}",
                        "--cluster.listen-address=",  # a single instance: no gossip port
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        running = RunningAlertmanager(f"http://{address}", log)
        started = _wait_for(running.ready, until=time.monotonic() + 15)
        assert started, f"Alertmanager did not become ready:\n{running.log_tail()}"
        return running

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_an_alert_fired_and_resolved_in_alertmanager_is_verified(
    transactional_db, live_server, start_alertmanager
):
    project = ProjectFactory()
    integration = Integration.objects.create(
        project=project, name="Live Alertmanager", source="alertmanager"
    )
    alert = Alert.objects.create(
        project=project, name="TransitionLiveCheck", severity="critical", source="alertmanager"
    )
    # The address the snippets give people, on the live server.
    alertmanager = start_alertmanager(f"{live_server.url}/hooks/alertmanager/{integration.token}/")
    until = time.monotonic() + DEADLINE_SECONDS
    starts_at = dt.datetime.now(dt.UTC)

    alertmanager.post_alert(starts_at=starts_at)
    # Resolve only once the firing notification is in: posted together, they would be
    # grouped into one resolved notification and nothing would have been seen firing.
    fired = _wait_for(
        AlertEvent.objects.filter(integration=integration, state="firing").exists, until
    )
    assert fired, f"No firing notification was recorded.\n{alertmanager.log_tail()}"

    alertmanager.post_alert(starts_at=starts_at, ends_at=dt.datetime.now(dt.UTC))
    verified = _wait_for(Verification.objects.filter(alert=alert, kind="webhook").exists, until)
    events = list(AlertEvent.objects.filter(integration=integration).values_list("state"))
    assert verified, f"Not verified; events {events}.\n{alertmanager.log_tail()}"
