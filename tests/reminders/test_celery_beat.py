"""End to end: a real beat schedules the sweep, a real worker runs it over the configured
broker, and the digest arrives over real SMTP (aiosmtpd) once.

Beat here fires `reminders.send_digests` every two seconds (production: once a day at
REMINDERS_HOUR; settings.CELERY_BEAT_SCHEDULE), onto a queue of the test's own, so a
`make run` worker on the same broker takes nothing. The worker and beat read the
test database (committed rows: a transactional test) and send to the test's SMTP
server. Beat firing several times is the point too: the digest arrives once.
"""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.reminders.models import DigestLog, DigestStatus
from tests import factories
from tests.accounts.test_password_reset_smtp import smtp_inbox  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

QUEUE = "transition-test-reminders"
DELIVERY_TIMEOUT = 90
BEAT = """
import sys
from transition.celery import app
app.conf.beat_schedule = {
    "test-send-reminders": {
        "task": "reminders.send_digests",
        "schedule": 2.0,
        "options": {"queue": sys.argv[1]},
    }
}
app.start(["beat", "-l", "info", "--schedule", sys.argv[2]])
"""


def _database_url() -> str:
    """The test database, as the worker must reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_and_beat(tmp_path: Path, smtp_inbox) -> Iterator[list[Path]]:  # noqa: F811
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "transition.settings",
        "VAR_DIR": str(Path(settings.VAR_DIR).resolve()),
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_USE_TLS": "0",
        "BASE_URL": settings.BASE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    worker = [
        sys.executable, "-m", "celery", "-A", "transition", "worker", "--pool", "solo",
        "--concurrency", "1", "-l", "info", "--queues", QUEUE,
        "--hostname", f"test-reminders-{uuid.uuid4().hex[:8]}@%h",
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    beat = [sys.executable, "-c", BEAT, QUEUE, str(tmp_path / "beat-schedule")]
    logs, processes = [], []
    for name, command in (("worker", worker), ("beat", beat)):
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            processes.append(
                subprocess.Popen(
                    command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        logs.append(log_path)
    try:
        yield logs
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_beat_and_a_worker_deliver_the_morning_digest_once(
    smtp_inbox,  # noqa: F811
    worker_and_beat,
    project,
    contributor,
):
    factories.TaskFactory(
        project=project,
        owner=contributor,
        title="Write the runbook",
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )

    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while not smtp_inbox.messages and time.monotonic() < deadline:
        time.sleep(0.5)
    if not smtp_inbox.messages:
        pytest.fail(
            f"no digest within {DELIVERY_TIMEOUT}s; logs:\n"
            + "\n".join(path.read_text(errors="replace")[-3000:] for path in worker_and_beat)
        )
    # Let beat fire a few more sweeps: none may send it again.
    time.sleep(6)

    [message] = smtp_inbox.messages
    assert message["To"] == contributor.email
    assert message["Subject"] == "Reminders for Payments platform: 1 overdue"
    assert "Write the runbook" in message.get_body(preferencelist=("plain",)).get_content()
    assert DigestLog.objects.get().status == DigestStatus.SENT
