"""Latency of each page as a ratio to the floor, and its query count, at two data sizes.

Run with `make bench`. The data is `seed_scale`'s (apps/projects/scale.py): at each
size (BENCH_SIZES, default "20,1000" transitions, 20 tasks and 6 criteria each, one
of them with 500 tasks and 300 criteria) it renders each page through Django's test
client with the production middleware, BENCH_REQUESTS times (default 60, in three
rounds), and prints the median and 95th percentile in milliseconds, the ratio of the
median to the floor's median, the query count and the size of the answer.

The floor is a trivial view rendering a one-line template through the same
middleware, measured in the same run, signed in like every page measured
(bench/urls.py, the project's URLs plus the floor; never served). The target
(DESIGN.md): every page within 5 times the floor at 1,000 transitions.

The database: the engine and server that BENCH_DATABASE_URL, else DATABASE_URL,
names (a temporary SQLite file when neither is set). The bench never writes to that
database: like the test runner, it creates a scratch database beside it
(`<name>_bench_scratch` on PostgreSQL) and drops it at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "20,1000").split(",")]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
ROUNDS = 3
TASKS_PER_TRANSITION = 20
CRITERIA_PER_TRANSITION = 6
BIG_TASKS, BIG_CRITERIA = 500, 300
TARGET_RATIO = 5


def configure() -> str:
    from bench.scratch import configure as set_up

    url = set_up(prefix="transition-bench-", suffix="bench_scratch")
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return url


@dataclass
class Measure:
    p50: float
    p95: float
    queries: int
    kilobytes: float


def measure_all(pages: list[tuple[str, object, str]]) -> dict[str, Measure]:
    """Each page's latency: REQUESTS requests, in ROUNDS rounds that visit every page.

    Within a round a page is requested once untimed, then its share of REQUESTS times
    in a row, so each figure is the page's warm, steady-state cost (as the floor's
    is); the rounds spread any change in the machine's load over all pages alike.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients, queries, sizes = {}, {}, {}
    for name, user, url in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(url)  # warm up: templates compiled, caches filled
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        clients[name] = client
        queries[name] = len(captured)
        sizes[name] = len(response.content) / 1024
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pages}
    per_round = max(1, REQUESTS // ROUNDS)
    for _ in range(ROUNDS):
        for name, _, url in pages:
            clients[name].get(url)
            for _ in range(per_round):
                started = time.perf_counter()
                clients[name].get(url)
                timings[name].append((time.perf_counter() - started) * 1000)
    return {
        name: Measure(
            p50=statistics.median(times),
            p95=statistics.quantiles(times, n=20)[-1],
            queries=queries[name],
            kilobytes=sizes[name],
        )
        for name, times in timings.items()
    }


def seed(transitions: int, *, big: bool) -> int | None:
    """Add `transitions` transitions with seed_scale's generator; the big one first."""
    from django.utils import timezone

    from apps.projects import scale
    from apps.projects.models import Phase

    today, now = timezone.localdate(), timezone.now()
    big_id = None
    if big:
        big_id = scale.generate(
            transitions=1,
            tasks=BIG_TASKS,
            criteria=BIG_CRITERIA,
            today=today,
            now=now,
            phase=Phase.READINESS,
        ).first_project_id
        transitions -= 1
    scale.generate(
        transitions=transitions,
        tasks=TASKS_PER_TRANSITION,
        criteria=CRITERIA_PER_TRANSITION,
        today=today,
        now=now,
    )
    return big_id


def main() -> None:
    database_url = configure()
    from django.db import connection
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.projects import scale
    from apps.projects.models import Phase, Project
    from apps.runbooks.models import Runbook
    from apps.support.models import Component

    scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(
            f"{REQUESTS} requests a page; {TASKS_PER_TRANSITION} tasks and "
            f"{CRITERIA_PER_TRANSITION} criteria a transition (one with {BIG_TASKS} tasks "
            f"and {BIG_CRITERIA} criteria); {connection.vendor} ({_safe(database_url)}), "
            f"scratch database {scratch}"
        )
        header = (
            f"{'transitions':>11}  {'page':<34} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'x floor':>7} {'queries':>7} {'KB':>6}"
        )
        print(header)
        built, big_id = 0, None
        over: dict[int, list[str]] = {}
        for size in SIZES:
            started = time.perf_counter()
            made_big = seed(size - built, big=big_id is None)
            big_id = big_id or made_big
            built = size
            seeded = time.perf_counter() - started
            # Personas: the portfolio office sees every transition (the biggest dashboard),
            # a lead of the first regular transition, the busiest operations engineer.
            pmo = User.objects.get(email=scale.PMO_EMAIL)
            first = (
                Project.objects.filter(phase=Phase.READINESS)
                .exclude(pk=big_id)
                .order_by("pk")
                .first()
            )
            assert first is not None
            big = Project.objects.get(pk=big_id)
            ops = User.objects.get(email=scale.pool_email("ops", 1))
            # The big transition's support model is seed_scale's (apps/support/scale.py).
            big_component = Component.objects.filter(project=big).order_by("pk").first()
            assert big_component is not None
            # And its runbook (apps/runbooks/scale.py), three to five scenarios.
            big_runbook = Runbook.objects.filter(project=big).order_by("pk").first()
            assert big_runbook is not None
            pages = [
                ("floor (signed in)", first.lead, reverse("bench-floor")),
                ("floor (anonymous, reference)", None, reverse("bench-floor-anonymous")),
                ("empty page layout (reference)", first.lead, reverse("bench-floor-shell")),
                ("dashboard, all phases", pmo, reverse("projects:dashboard") + "?phase=all"),
                (
                    "dashboard, by overdue",
                    pmo,
                    reverse("projects:dashboard") + "?phase=all&sort=overdue",
                ),
                ("transition page", first.lead, reverse("projects:detail", args=[first.pk])),
                (
                    f"transition page ({BIG_TASKS}/{BIG_CRITERIA})",
                    big.lead,
                    reverse("projects:detail", args=[big.pk]),
                ),
                ("my items (ops engineer)", ops, reverse("projects:my-items")),
                ("reminders (ops engineer)", ops, reverse("reminders:mine")),
                ("reminders (portfolio office)", pmo, reverse("reminders:mine")),
                ("activity", first.lead, reverse("projects:activity", args=[first.pk])),
                ("support matrix", big.lead, reverse("support:matrix", args=[big.pk])),
                (
                    "who do I call? (P1)",
                    big.lead,
                    reverse("support:who", args=[big.pk])
                    + f"?component={big_component.pk}&priority=P1",
                ),
                ("escalation paths", big.lead, reverse("support:escalation", args=[big.pk])),
                ("runbooks", big.lead, reverse("runbooks:list", args=[big.pk])),
                (
                    "runbook (reading view)",
                    big.lead,
                    reverse("runbooks:detail", args=[big.pk, big_runbook.pk]),
                ),
                # Its monitoring (apps/monitoring/scale.py): alerts, proof, dashboards.
                ("monitoring", big.lead, reverse("monitoring:alerts", args=[big.pk])),
                (
                    "monitoring integrations",
                    big.lead,
                    reverse("monitoring:integrations", args=[big.pk]),
                ),
            ]
            results = measure_all(pages)
            floor = results[pages[0][0]].p50
            for name, result in results.items():
                ratio = result.p50 / floor
                if (
                    ratio > TARGET_RATIO
                    and "reference" not in name
                    and not name.startswith("floor")
                ):
                    over.setdefault(size, []).append(name)
                print(
                    f"{size:>11}  {name:<34} {result.p50:>7.2f} {result.p95:>7.2f} "
                    f"{ratio:>7.1f} {result.queries:>7} {result.kilobytes:>6.1f}"
                )
            print(f"{'':>11}  (seeded in {seeded:.1f}s)")
        for size in SIZES:
            if over.get(size):
                print(f"At {size}, over {TARGET_RATIO}x the floor: {', '.join(over[size])}")
            else:
                print(f"At {size}, every page is within {TARGET_RATIO}x the floor.")
    finally:
        connection.creation.destroy_test_db(scratch, verbosity=0)


def _safe(url: str) -> str:
    """The database URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


if __name__ == "__main__":
    main()
