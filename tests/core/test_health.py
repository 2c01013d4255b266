"""/healthz: what operators and load balancers read to decide whether Transition is up."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from celery import Celery
from django.conf import settings as django_settings
from django.db.utils import ConnectionHandler
from django.test import Client

from apps.core import health
from apps.core.models import Heartbeat

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


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "detail": _configured_transport()}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_with_the_error_when_the_broker_is_unreachable(
    client: Client, broker_at
) -> None:
    broker_at(UNREACHABLE_REDIS)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert "OperationalError" in body["broker"]["detail"]
    assert "127.0.0.1:1" in body["broker"]["detail"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_filesystem_broker_folder_is_missing(
    client: Client, broker_at, settings, tmp_path: Path
) -> None:
    missing = tmp_path / "broker"
    broker_at("filesystem://", data_folder_in=str(missing), data_folder_out=str(missing))
    settings.CELERY_BROKER_FOLDER = missing

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == {
        "ok": False,
        "detail": f"broker folder {missing} is missing",
    }


@pytest.mark.django_db
def test_healthz_is_503_and_skips_the_heartbeat_when_the_database_is_unreachable(
    client: Client, unreachable_database
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is False
    assert "unable to open database file" in body["database"]["detail"]
    assert body["broker"]["ok"] is True
    assert "worker" not in body


@pytest.mark.django_db
def test_healthz_reports_a_worker_that_never_ran_as_not_ok_without_failing(
    client: Client,
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == {"ok": False, "last_seen": None, "age_seconds": None}


@pytest.mark.django_db
def test_healthz_reports_a_recent_worker_heartbeat_as_fresh(client: Client) -> None:
    Heartbeat.objects.create(name="worker", seen_at=NOW - timedelta(seconds=90))

    with time_machine.travel(NOW, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == {
        "ok": True,
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
    worker = response.json()["worker"]
    assert worker["ok"] is False
    assert worker["age_seconds"] == 600


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
