"""Webhook intake through the production server: requests per second against the floor.

Run with `make bench` (after the pages and the reminder sweep) or
`python bench/hooks.py`. A monitoring tool may send many notifications a second, most
of them repeats (DESIGN.md: "repeated deliveries of the same alert are recorded
once"), so the receiver's cheap path is the repeat. This bench serves the app as the
Dockerfile does (gunicorn, WEB_CONCURRENCY=2 sync workers, access log on) with
DEBUG=0, HTTPS=0, a throwaway SECRET_KEY and ALLOWED_HOSTS=127.0.0.1, and loads it
over loopback from CLIENTS processes, each sending one request at a time for
BENCH_HOOK_SECONDS (default 10, in three rounds that visit every endpoint) after a
warm-up of half that, which is not counted:

- the floor, bench/pages.py's (bench/urls.py: a one-line template through the same
  middleware, signed in), the measure of everything else; and its anonymous twin,
  for reference, since a webhook has no session to load;
- the Alertmanager receiver with a repeated delivery: the firing body of
  tests/monitoring/payloads/ (three alerts), delivered once before the load and then
  again and again. Afterwards it checks that the repeats collapsed: as many alert
  events as alerts in the body, and one delivery;
- the receiver with new notifications every request (each alert's fingerprint
  made unique), the slow path, for information: every request must have recorded
  one delivery and its three events.

It prints each endpoint's requests per second, the median and 95th percentile
latency, the throughput as a ratio to the floor's, and the target: the receiver
with repeats serves at least half the floor's requests per second. A miss is
reported, not an error (the exit status is 0); any answer but 2xx stops the bench.

gunicorn's sync workers close the connection after each answer (they do not keep
connections alive), so each request opens a new loopback connection, as each does
behind a proxy that does not pool connections to the app.

The database: a scratch database beside the one BENCH_DATABASE_URL, else
DATABASE_URL, names (a temporary SQLite file when neither is set), created with
Django's test database machinery as bench/scratch.py describes, served to gunicorn
through its own DATABASE_URL and dropped at the end.
"""

from __future__ import annotations

import http.client
import json
import logging
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = float(os.environ.get("BENCH_HOOK_SECONDS", "10"))
WARM_UP_SECONDS = SECONDS / 2
ROUNDS = 3
# The machine this was written for has two cores: two server workers (the
# Dockerfile's WEB_CONCURRENCY) and two client processes already share them.
WORKERS = 2
CLIENTS = 2
TARGET_RATIO = 0.5
FIRING = ROOT / "tests" / "monitoring" / "payloads" / "alertmanager_firing.json"
HOST = "127.0.0.1"


def served_application() -> WSGIHandler:
    """The production WSGI application with the floor views routed: what gunicorn runs.

    `transition.wsgi` itself, with bench/urls.py (the project's URLs plus the floor)
    as the URL configuration, so the floor and the receiver share one server.
    """
    from django.conf import settings

    from transition.wsgi import application

    settings.ROOT_URLCONF = "bench.urls"
    return application


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    new_fingerprints: bool = False  # a different fingerprint on every request


@dataclass(frozen=True)
class Job:
    endpoint: Endpoint
    port: int
    client: int
    warm_until: float  # time.monotonic(), shared by the processes of one machine
    until: float


@dataclass(frozen=True)
class Load:
    accepted: int  # 2xx answers, warm-up included
    latencies_ms: list[float]  # the measured window's


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50: float
    p95: float


def _client(job: Job) -> Load:
    """One client process: a request at a time until `until`; any non-2xx raises."""
    endpoint = job.endpoint
    connection = http.client.HTTPConnection(HOST, job.port, timeout=30)
    alerts, fingerprints = [], []
    if endpoint.new_fingerprints and endpoint.body is not None:
        payload = json.loads(endpoint.body)
        alerts = payload["alerts"]
        fingerprints = [alert["fingerprint"] for alert in alerts]
    # Unique to this run of this client, so that no round repeats another's fingerprints.
    run_id = f"{job.client}-{secrets.token_hex(4)}"
    accepted, latencies, sent = 0, [], 0
    while (started := time.monotonic()) < job.until:
        body = endpoint.body
        if alerts:
            for alert, fingerprint in zip(alerts, fingerprints, strict=True):
                alert["fingerprint"] = f"{fingerprint}-{run_id}-{sent}"
            body = json.dumps(payload).encode()
        sent += 1
        # http.client reopens the connection the server closed after the last answer.
        connection.request(endpoint.method, endpoint.path, body=body, headers=endpoint.headers)
        response = connection.getresponse()
        answer = response.read()
        elapsed = (time.monotonic() - started) * 1000
        if not 200 <= response.status < 300:
            raise RuntimeError(
                f"{endpoint.name}: {endpoint.method} answered {response.status}: {answer[:300]!r}"
            )
        accepted += 1
        if started >= job.warm_until:
            latencies.append(elapsed)
    connection.close()
    return Load(accepted, latencies)


def run(pool: Pool, endpoint: Endpoint, port: int, *, warm_up: float, seconds: float) -> Load:
    """The endpoint under CLIENTS clients for `warm_up` (not timed) then `seconds`."""
    warm_until = time.monotonic() + warm_up
    jobs = [
        Job(endpoint, port, client, warm_until, warm_until + seconds) for client in range(CLIENTS)
    ]
    loads = pool.map(_client, jobs)
    return Load(
        accepted=sum(load.accepted for load in loads),
        latencies_ms=[ms for load in loads for ms in load.latencies_ms],
    )


def measure_all(pool: Pool, endpoints: list[Endpoint], port: int) -> dict[str, tuple[Result, int]]:
    """Each endpoint's result, and its 2xx answers in all (warm-up included).

    Each endpoint is warmed up once, then measured in ROUNDS rounds that visit every
    endpoint, so a change in the machine's load (it is shared) falls on all of them
    alike, as in bench/pages.py.
    """
    accepted = {endpoint.name: 0 for endpoint in endpoints}
    latencies: dict[str, list[float]] = {endpoint.name: [] for endpoint in endpoints}
    for round_ in range(ROUNDS + 1):
        for endpoint in endpoints:
            if round_ == 0:
                load = run(pool, endpoint, port, warm_up=WARM_UP_SECONDS, seconds=0)
            else:
                load = run(pool, endpoint, port, warm_up=0, seconds=SECONDS / ROUNDS)
            accepted[endpoint.name] += load.accepted
            latencies[endpoint.name] += load.latencies_ms
    results = {}
    for name, times in latencies.items():
        assert len(times) >= 2, f"{name}: too few requests to measure"
        result = Result(
            requests_per_second=len(times) / SECONDS,
            p50=statistics.median(times),
            p95=statistics.quantiles(times, n=20)[-1],
        )
        results[name] = (result, accepted[name])
    return results


def serve(*, database_url: str, port: int, log: Path) -> subprocess.Popen:
    """gunicorn as the Dockerfile runs it, on loopback, against the scratch database."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(WORKERS),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "bench.hooks:served_application()"),
        *("--bind", f"{HOST}:{port}", "--access-logfile", "-"),
    ]
    with log.open("wb") as errors:
        # Our own interpreter and arguments; the access log (stdout) is written and dropped.
        server = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/bench/floor/anonymous/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 seconds:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post_once(port: int, path: str, body: bytes) -> dict:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    assert response.status == 202, (response.status, answer[:300])
    return json.loads(answer)


def scratch_url(url: str, scratch: str) -> str:
    """`url` naming the scratch database instead of its own."""
    if url.startswith("sqlite:"):
        return f"sqlite:///{scratch}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{scratch}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def main() -> None:
    from bench.pages import _safe
    from bench.scratch import configure

    # Shared with the server: its sessions (the signed-in floor's cookie) and settings.
    os.environ["SECRET_KEY"] = f"bench-only-{secrets.token_urlsafe(32)}"
    os.environ["HTTPS"] = "0"
    os.environ["ALLOWED_HOSTS"] = HOST
    database_url = configure(prefix="transition-bench-hooks-", suffix="bench_hooks_scratch")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.monitoring import services
    from apps.monitoring.models import AlertEvent, Delivery, Integration, Source
    from apps.projects import scale
    from apps.projects.models import Phase, Project

    settings.ROOT_URLCONF = "bench.urls"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    firing = FIRING.read_bytes()
    alerts_in_body = len(json.loads(firing)["alerts"])
    scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    server = None
    try:
        project_id = scale.generate(
            transitions=1,
            tasks=0,
            criteria=0,
            today=timezone.localdate(),
            now=timezone.now(),
            phase=Phase.READINESS,
        ).first_project_id
        project = Project.objects.select_related("lead").get(pk=project_id)
        repeated, fresh = (
            services.integration_save(
                integration=Integration(project=project, name=name, source=Source.ALERTMANAGER),
                by=project.lead,
            )
            for name in ("Alertmanager (repeats)", "Alertmanager (new)")
        )
        signed_in = Client()
        logging.getLogger("transition.auth").disabled = True  # the bench's own sign-in
        signed_in.force_login(project.lead)
        session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        json_body = {"Content-Type": "application/json"}
        endpoints = [
            Endpoint("floor (signed in)", "GET", reverse("bench-floor"), {"Cookie": cookie}),
            Endpoint("floor (anonymous, reference)", "GET", reverse("bench-floor-anonymous"), {}),
            Endpoint(
                "receiver, repeated delivery",
                "POST",
                reverse("hook", args=[repeated.source, repeated.token]),
                json_body,
                firing,
            ),
            Endpoint(
                "receiver, new notifications",
                "POST",
                reverse("hook", args=[fresh.source, fresh.token]),
                json_body,
                firing,
                new_fingerprints=True,
            ),
        ]
        connection.close()  # SQLite: the server's workers have the file to themselves

        port = free_port()
        server = serve(
            database_url=scratch_url(database_url, scratch),
            port=port,
            log=Path(os.environ["VAR_DIR"]) / "gunicorn.log",
        )
        first = post_once(port, endpoints[2].path, firing)
        assert first["new"] == alerts_in_body, first
        print(
            f"gunicorn {WORKERS} sync workers (the Dockerfile's WEB_CONCURRENCY), "
            f"{CLIENTS} client processes, one request at a time each, on {os.cpu_count()} "
            f"cores; {WARM_UP_SECONDS:g} s warm-up, then {SECONDS:g} s measured per endpoint "
            f"in {ROUNDS} rounds; a new connection per request (sync workers do not keep alive)"
        )
        print(f"{connection.vendor} ({_safe(database_url)}), scratch database {scratch}")
        print(
            f"Alertmanager body: {alerts_in_body} alerts ({FIRING.relative_to(ROOT)}); "
            "the repeated one was delivered once before its load"
        )
        print(f"{'endpoint':<32} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'x floor':>7}")
        with multiprocessing.get_context("spawn").Pool(CLIENTS) as pool:
            measured = measure_all(pool, endpoints, port)
        results = {name: result for name, (result, _) in measured.items()}
        accepted = {name: count for name, (_, count) in measured.items()}
        floor = results[endpoints[0].name].requests_per_second
        for name, result in results.items():
            print(
                f"{name:<32} {result.requests_per_second:>8.0f} {result.p50:>7.2f} "
                f"{result.p95:>7.2f} {result.requests_per_second / floor:>7.2f}"
            )
        stop(server)
        server = None

        repeats = (
            AlertEvent.objects.filter(integration=repeated).count(),
            Delivery.objects.filter(integration=repeated).count(),
        )
        print(
            f"Repeated delivery: {accepted[endpoints[2].name] + 1} accepted, {repeats[0]} alert "
            f"events and {repeats[1]} delivery recorded (expected {alerts_in_body} and 1)"
        )
        assert repeats == (alerts_in_body, 1), "repeated deliveries did not collapse"
        news = accepted[endpoints[3].name]
        recorded = (
            Delivery.objects.filter(integration=fresh).count(),
            AlertEvent.objects.filter(integration=fresh).count(),
        )
        print(
            f"New notifications: {news} accepted (warm-up included), {recorded[0]} deliveries "
            f"and {recorded[1]} alert events recorded (expected {news} and {news * alerts_in_body})"
        )
        assert recorded == (news, news * alerts_in_body), "new notifications went missing"
        ratio = (
            results[endpoints[2].name].requests_per_second
            / results[endpoints[0].name].requests_per_second
        )
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print(f"receiver (duplicates) >= {TARGET_RATIO} x floor: {verdict} ({ratio:.2f} x)")
    finally:
        if server is not None:
            stop(server)
        connection.creation.destroy_test_db(scratch, verbosity=0)
        shutil.rmtree(os.environ["VAR_DIR"], ignore_errors=True)  # the server's log and var/


if __name__ == "__main__":
    main()
