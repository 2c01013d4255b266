"""A real Celery worker process runs a task sent from the test, over the configured broker.

This is the embedded filesystem broker (under VAR_DIR) by default and Redis when
CELERY_BROKER_URL says so. The worker listens on a queue of its own, so a worker
left running by `make run` on the same broker neither steals the test's task nor
has its own tasks taken by the test's worker. The queue name is fixed rather than
random because the brokers keep a small binding record per queue name.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings

from apps.core import tasks

pytestmark = pytest.mark.celery_worker

# Start-up (Django and Celery imports) plus one round trip, on a slow 2-core machine.
ROUND_TRIP_TIMEOUT = 60
TEST_QUEUE = "transition-test-worker"


@dataclass(frozen=True)
class Worker:
    queue: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    queue = TEST_QUEUE
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "transition.settings"),
        # The filesystem broker and result folders live under VAR_DIR: the worker
        # must compute the same folders as this process did at import.
        "VAR_DIR": str(Path(settings.VAR_DIR).resolve()),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "transition",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "-l",
        "info",
        "--queues",
        queue,
        "--hostname",
        f"test-{uuid.uuid4().hex[:8]}@%h",
        # Nothing to synchronise with: skip the broadcasts that slow start-up.
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield Worker(queue=queue, process=process, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_real_worker_runs_ping_and_returns_the_result_through_the_backend(
    worker: Worker,
) -> None:
    token = uuid.uuid4().hex

    result = tasks.ping.apply_async(args=[token], queue=worker.queue)
    try:
        value = result.get(timeout=ROUND_TRIP_TIMEOUT)
    except CeleryTimeoutError:
        pytest.fail(
            f"no result within {ROUND_TRIP_TIMEOUT}s (worker exit code "
            f"{worker.process.poll()}); worker log:\n{worker.log()}"
        )
    finally:
        result.forget()

    assert value == f"pong {token}"
