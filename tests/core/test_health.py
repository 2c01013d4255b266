"""/healthz: what operators and load balancers read to decide whether Transition is up.

Everyone reads `ok` or `degraded` per dependency; the detail (hosts, errors) is
logged, and shown only to staff and to addresses in HEALTHZ_INTERNAL_NETWORKS.
"""

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.test import Client

from apps.core import health
from apps.core.models import Heartbeat
from tests import factories
from tests.core.test_settings import run_with_env

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# Nothing listens on port 1: connecting is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_at(settings, monkeypatch) -> Callable[..., None]:
    """Point the broker check at another broker for one test.

    The check reads the transport from settings and connects through the Celery
    app, so both are swapped; monkeypatch and the settings fixture restore them.
    A separate app (not the project's, not made current) keeps the change local.
    Celery prefers the CELERY_BROKER_URL environment variable to its configuration,
    so that is set too when a run exports it (make test on Redis does).
    """

    def point(url: str, **transport_options: str) -> None:
        settings.CELERY_BROKER_URL = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app = Celery(
            "healthz-test",
            broker=url,
            broker_transport_options=transport_options,
            set_as_current=False,
        )
        monkeypatch.setattr(health, "celery_app", app)

    return point


@pytest.fixture
def unreachable_database(tmp_path: Path, monkeypatch) -> Iterator[None]:
    """A real connection to an SQLite file that cannot be opened (its folder is missing)."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp_path / "missing-folder" / "db.sqlite3"),
            }
        }
    )
    monkeypatch.setattr(health, "connection", handler["default"])
    yield
    handler.close_all()


# An address outside HEALTHZ_INTERNAL_NETWORKS (the test client's own is 127.0.0.1).
OUTSIDE = "203.0.113.7"


def public_get(client: Client) -> HttpResponse:
    return client.get("/healthz", REMOTE_ADDR=OUTSIDE)


def health_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "transition.health"]


# What everyone reads ----------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client: Client) -> None:
    response = public_get(client)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker": "degraded",  # no worker has run in the test database
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_and_tells_the_public_only_that_the_broker_is_degraded(
    client: Client, broker_at, caplog
) -> None:
    broker_at(UNREACHABLE_REDIS)

    with caplog.at_level(logging.INFO, logger="transition.health"):
        response = public_get(client)

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "degraded",
        "worker": "degraded",
    }
    text = response.content.decode()
    for secret in ("127.0.0.1", ":1", "redis", "Error", "refused"):
        assert secret not in text
    # The operator finds the detail in the log, one line per failing check.
    [broker_line] = [line for line in health_lines(caplog) if "check=broker" in line]
    assert "status=degraded" in broker_line
    assert "OperationalError" in broker_line
    assert "127.0.0.1:1" in broker_line


@pytest.mark.django_db
def test_healthz_hides_the_missing_broker_folder_from_the_public(
    client: Client, broker_at, settings, tmp_path: Path, caplog
) -> None:
    missing = tmp_path / "broker"
    broker_at("filesystem://", data_folder_in=str(missing), data_folder_out=str(missing))
    settings.CELERY_BROKER_FOLDER = missing

    with caplog.at_level(logging.INFO, logger="transition.health"):
        response = public_get(client)

    assert response.status_code == 503
    assert response.json()["broker"] == "degraded"
    assert str(tmp_path) not in response.content.decode()
    assert any(f"broker folder {missing} is missing" in line for line in health_lines(caplog))


@pytest.mark.django_db
def test_healthz_is_503_and_skips_the_heartbeat_when_the_database_is_unreachable(
    client: Client, unreachable_database, tmp_path: Path, caplog
) -> None:
    with caplog.at_level(logging.INFO, logger="transition.health"):
        response = public_get(client)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "degraded", "broker": "ok"}
    assert str(tmp_path) not in response.content.decode()
    [line] = health_lines(caplog)
    assert line.startswith("healthz check=database status=degraded")
    assert "unable to open database file" in line


@pytest.mark.django_db
def test_each_failing_check_is_one_log_line_and_a_healthy_one_none(
    client: Client, broker_at, unreachable_database, caplog
) -> None:
    broker_at(UNREACHABLE_REDIS)

    with caplog.at_level(logging.INFO, logger="transition.health"):
        public_get(client)

    lines = health_lines(caplog)
    assert [line.split()[1] for line in lines] == ["check=database", "check=broker"]
    assert all("\n" not in line for line in lines)


@pytest.mark.django_db
def test_healthz_logs_a_stale_worker_as_a_warning(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="transition.health"):
        response = public_get(client)

    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "transition.health"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "healthz check=worker status=degraded detail='no heartbeat recorded'"
    )


@pytest.mark.django_db
def test_a_healthy_healthz_logs_nothing(client: Client, caplog) -> None:
    Heartbeat.objects.create(name="worker", seen_at=NOW - timedelta(seconds=30))

    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.INFO):
        response = public_get(client)

    assert response.json()["worker"] == "ok"
    assert health_lines(caplog) == []


# Who reads the detail -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_internal_address_reads_the_broker_error(client: Client, broker_at) -> None:
    broker_at(UNREACHABLE_REDIS)

    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "degraded"
    assert "OperationalError" in body["detail"]["broker"]
    assert "127.0.0.1:1" in body["detail"]["broker"]
    assert body["detail"]["database"] == connection.vendor


@pytest.mark.django_db
def test_an_internal_address_reads_what_the_database_said(
    client: Client, unreachable_database
) -> None:
    body = client.get("/healthz", REMOTE_ADDR="::1").json()

    assert "unable to open database file" in body["detail"]["database"]
    assert body["detail"]["broker"] == _configured_transport()
    assert "worker" not in body["detail"]


@pytest.mark.django_db
def test_a_staff_user_reads_the_detail_from_anywhere(client: Client, broker_at) -> None:
    broker_at(UNREACHABLE_REDIS)
    client.force_login(factories.UserFactory(is_staff=True))

    body = public_get(client).json()

    assert "127.0.0.1:1" in body["detail"]["broker"]


@pytest.mark.django_db
def test_a_signed_in_user_who_is_not_staff_reads_no_detail(client: Client, broker_at) -> None:
    broker_at(UNREACHABLE_REDIS)
    client.force_login(factories.UserFactory())

    response = public_get(client)

    assert "detail" not in response.json()
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_staff_read_no_detail_from_outside_while_the_database_is_down(
    client: Client, unreachable_database
) -> None:
    # Telling staff apart needs the database; the answer stays a 503, never a 500.
    client.force_login(factories.UserFactory(is_staff=True))

    response = public_get(client)

    assert response.status_code == 503
    assert "detail" not in response.json()


@pytest.mark.django_db
def test_the_internal_networks_come_from_the_setting(client: Client, settings) -> None:
    settings.HEALTHZ_INTERNAL_NETWORKS = ["10.0.0.0/8"]

    inside = client.get("/healthz", REMOTE_ADDR="10.20.30.40").json()
    loopback = client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()

    assert inside["detail"]["broker"] == _configured_transport()
    assert "detail" not in loopback


@pytest.mark.django_db
def test_no_internal_networks_means_staff_only(client: Client, settings) -> None:
    settings.HEALTHZ_INTERNAL_NETWORKS = []

    assert "detail" not in client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_address_decides(
    client: Client, settings
) -> None:
    # nginx on the same host: every request arrives from the loopback.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.HEALTHZ_INTERNAL_NETWORKS = ["127.0.0.1/32", "10.0.0.0/8"]

    public = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    # What the client wrote itself, left of what the proxy appended, proves nothing.
    forged = client.get(
        "/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.5, {OUTSIDE}"
    )
    monitoring = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5")
    local_probe = client.get("/healthz", REMOTE_ADDR="127.0.0.1")

    assert "detail" not in public.json()
    assert "detail" not in forged.json()
    assert "detail" in monitoring.json()
    assert "detail" in local_probe.json()


@pytest.mark.parametrize(
    ("address", "networks", "internal"),
    [
        ("127.0.0.1", ["127.0.0.1/32", "::1/128"], True),
        ("::1", ["127.0.0.1/32", "::1/128"], True),
        ("::ffff:127.0.0.1", ["127.0.0.1/32"], True),
        ("127.0.0.2", ["127.0.0.1/32"], False),
        ("10.1.2.3", ["10.0.0.0/8"], True),
        ("11.1.2.3", ["10.0.0.0/8"], False),
        ("fd00::5", ["fd00::/8"], True),
        ("203.0.113.7", [], False),
        ("", ["0.0.0.0/0"], False),
        (None, ["0.0.0.0/0"], False),
        ("not-an-address", ["0.0.0.0/0"], False),
    ],
)
def test_an_address_is_internal_only_inside_a_listed_network(
    address: str | None, networks: list[str], internal: bool
) -> None:
    assert health.is_internal(address, networks) is internal


def test_an_unreadable_internal_network_stops_the_start(tmp_path: Path) -> None:
    result = run_with_env(
        ["manage.py", "check"],
        DEBUG="1",
        VAR_DIR=str(tmp_path),
        HEALTHZ_INTERNAL_NETWORKS="10.0.0.0/8,intranet",
    )

    assert result.returncode != 0
    assert "HEALTHZ_INTERNAL_NETWORKS must be comma-separated networks" in result.stderr
    assert "'intranet'" in result.stderr


# The worker's heartbeat ---------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_a_worker_that_never_ran_without_failing(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "degraded"
    assert response.json()["detail"]["worker"] == {"last_seen": None, "age_seconds": None}


@pytest.mark.django_db
def test_healthz_reports_a_recent_worker_heartbeat_as_fresh(client: Client) -> None:
    Heartbeat.objects.create(name="worker", seen_at=NOW - timedelta(seconds=90))

    with time_machine.travel(NOW, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "ok"
    assert response.json()["detail"]["worker"] == {
        "last_seen": (NOW - timedelta(seconds=90)).isoformat(),
        "age_seconds": 90,
    }


@pytest.mark.django_db
def test_healthz_reports_a_stale_worker_heartbeat_but_stays_200(client: Client, settings) -> None:
    settings.WORKER_HEARTBEAT_STALE_AFTER = 300
    Heartbeat.objects.create(name="worker", seen_at=NOW - timedelta(minutes=10))

    with time_machine.travel(NOW, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "degraded"
    assert response.json()["detail"]["worker"]["age_seconds"] == 600


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age_seconds", "fresh"),
    [(0, True), (299, True), (300, True), (301, False), (86400, False)],
)
def test_worker_heartbeat_is_fresh_up_to_the_stale_after_setting(
    settings, age_seconds: int, fresh: bool
) -> None:
    settings.WORKER_HEARTBEAT_STALE_AFTER = 300
    Heartbeat.objects.create(name="worker", seen_at=NOW - timedelta(seconds=age_seconds))

    report = health.worker_heartbeat(NOW)

    assert report["ok"] is fresh
    assert report["age_seconds"] == age_seconds


@pytest.mark.django_db
def test_worker_heartbeat_ignores_other_named_heartbeats() -> None:
    Heartbeat.objects.create(name="beat", seen_at=NOW)

    assert health.worker_heartbeat(NOW)["last_seen"] is None


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client: Client, method: str) -> None:
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_healthz_answers_plain_http_when_https_redirects_are_on(client: Client, settings) -> None:
    # Load balancers probe over plain HTTP inside the network, even when HTTPS is on.
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz")

    assert response.status_code == 200


def _configured_transport() -> str:
    return django_settings.CELERY_BROKER_URL.split("://", 1)[0]
