"""Latency and query counts of the list and dashboard pages at two data sizes.

Run with `make bench`. It builds its own database (SQLite in a temporary folder, or
the one BENCH_DATABASE_URL names, which it fills and leaves), renders each page
through Django's test client and prints the median and 95th percentile latency in
milliseconds and the number of SQL queries. Query counts must not change between
the sizes; the test suite asserts that, this prints the times.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "20,200").split(",")]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
TASKS_PER_PROJECT = 20
CRITERIA_PER_PROJECT = 6


def configure() -> None:
    workdir = tempfile.mkdtemp(prefix="transition-bench-")
    os.environ["VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transition.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    # Keep one connection, as production does (DATABASE_CONN_MAX_AGE); reconnecting
    # per request would also clear the query log the counts are read from.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build(n_projects: int, viewer):  # type: ignore[no-untyped-def]
    """n_projects transitions the viewer can see, each with tasks, criteria, sign-offs."""
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task

    today = timezone.localdate()
    now = timezone.now()
    existing = Project.objects.count()
    ops = User.objects.get(email="ops@bench.example")
    projects = Project.objects.bulk_create(
        Project(
            name=f"Transition {existing + i:04d}",
            lead=viewer,
            ops_lead=ops,
            go_live_date=today + dt.timedelta(days=i % 60 - 20),
        )
        for i in range(n_projects)
    )
    Membership.objects.bulk_create(
        [Membership(project=p, user=viewer, role="lead") for p in projects]
        + [Membership(project=p, user=ops, role="ops") for p in projects]
    )
    Task.objects.bulk_create(
        Task(
            project=p,
            title=f"Task {t}",
            owner=viewer if t % 2 else ops,
            due_date=today + dt.timedelta(days=t - 10),
            status="done" if t % 3 == 0 else "todo",
            completed_at=now if t % 3 == 0 else None,
        )
        for p in projects
        for t in range(TASKS_PER_PROJECT)
    )
    criteria = AcceptanceCriterion.objects.bulk_create(
        AcceptanceCriterion(
            project=p, statement=f"Criterion {c} holds.", due_date=today + dt.timedelta(days=c)
        )
        for p in projects
        for c in range(CRITERIA_PER_PROJECT)
    )
    SignOff.objects.bulk_create(
        SignOff(criterion=c, signed_by=ops, signed_at=now, statement_snapshot=c.statement)
        for c in criteria[::2]
    )
    return projects[0]


def measure(client, url: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    query_count = len(queries)  # now: later requests clear the connection's query log
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    return statistics.median(timings), p95, query_count


def main() -> None:
    configure()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from apps.accounts.models import User

    call_command("migrate", verbosity=0)
    lead = User.objects.create_user("lead@bench.example", "pw", full_name="Bench Lead")
    User.objects.create_user("ops@bench.example", "pw", full_name="Bench Ops")
    client = Client()
    client.force_login(lead)

    print(
        f"{REQUESTS} requests a page; {TASKS_PER_PROJECT} tasks and "
        f"{CRITERIA_PER_PROJECT} criteria a transition; database {os.environ['DATABASE_URL']}"
    )
    print(f"{'transitions':>11}  {'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    built = 0
    for size in SIZES:
        first = build(size - built, lead)
        built = size
        pages = {
            "dashboard (25 a page)": reverse("projects:dashboard") + "?phase=all",
            "transition page": reverse("projects:detail", args=[first.pk]),
            "my items": reverse("projects:my-items"),
            "activity": reverse("projects:activity", args=[first.pk]),
        }
        for name, url in pages.items():
            p50, p95, queries = measure(client, url)
            print(f"{size:>11}  {name:<22} {p50:>8.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
