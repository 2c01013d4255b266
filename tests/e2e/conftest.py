"""What every browser test shares: the live server is idle before its database is flushed.

A test can end (its browser context closed) while the live server still answers a
request the page sent last, such as the summary refresh htmx asks for after a save.
That request's thread then holds row locks while the test database is flushed, and
on PostgreSQL the flush's TRUNCATE and the request deadlock. This fixture, set up
after the database fixture and so torn down before it, waits for those threads.
"""

import threading
import time

import pytest

IDLE_TIMEOUT_SECONDS = 10


def _request_threads() -> list[threading.Thread]:
    # socketserver.ThreadingMixIn names each request's thread after its target.
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush(transactional_db):
    yield
    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    while _request_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
