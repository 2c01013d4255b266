"""The reminder sweep at scale: time, queries, emails and peak memory.

Run with `make bench` (after the pages) or `python bench/reminders.py`. In a scratch
database (as bench/pages.py: BENCH_DATABASE_URL, else DATABASE_URL, else a temporary
SQLite file; created and dropped by Django's test database machinery) it bulk-inserts
BENCH_REMINDER_ITEMS hand-off items (default 100,000: nine tasks for every
acceptance criterion, due from 10 days ago to 3 days ahead, none done) owned by
BENCH_REMINDER_RECIPIENTS people (default 2,000) in transitions of ten members each,
then runs the real sweep (`apps.reminders.services.sweep`) with email delivered to
Django's locmem backend, and reports:

- time of the sweep (wall clock, and this process's CPU time, which other load on
  the machine does not stretch), the queries it ran, the emails sent (which must equal the
  people with something to say: everyone here), and a second sweep the same day
  (which must send nothing);
- the peak memory the sweep allocates (tracemalloc, in a second run of the same
  day after clearing the sent-log, since tracing slows the run it measures) and the
  process's peak resident size.

Targets (issue 8): under 5 seconds on SQLite and PostgreSQL, under 200 MB peak.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = int(os.environ.get("BENCH_REMINDER_ITEMS", "100000"))
RECIPIENTS = int(os.environ.get("BENCH_REMINDER_RECIPIENTS", "2000"))
MEMBERS_PER_TRANSITION = 10
TARGET_SECONDS = 5.0
TARGET_MB = 200
TODAY = dt.date(2026, 3, 18)


def configure() -> str:
    from bench.scratch import configure as set_up

    url = set_up(prefix="transition-bench-reminders-", suffix="bench_reminders_scratch")
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return url


def populate() -> None:
    """Users, transitions, memberships, tasks and criteria, with bulk inserts only."""
    from django.db import connection

    from apps.accounts.models import User
    from apps.projects.models import AcceptanceCriterion, Membership, Project, Role, Task

    User.objects.bulk_create(
        User(email=f"person{n:05d}@bench.example", full_name=f"Person {n:05d}", password="!")  # noqa: S106  unusable: no one signs in
        for n in range(RECIPIENTS)
    )
    users = list(User.objects.order_by("pk").values_list("pk", flat=True))
    groups = [
        users[i : i + MEMBERS_PER_TRANSITION] for i in range(0, len(users), MEMBERS_PER_TRANSITION)
    ]
    Project.objects.bulk_create(
        Project(name=f"Transition {n:04d}", lead_id=group[0], go_live_date=TODAY)
        for n, group in enumerate(groups)
    )
    projects = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        Membership(project_id=project_id, user_id=user_id, role=Role.LEAD if i == 0 else Role.OPS)
        for project_id, group in zip(projects, groups, strict=True)
        for i, user_id in enumerate(group)
    )
    criteria = ITEMS // 10
    tasks = ITEMS - criteria

    def owner_of(n: int) -> tuple[int, int]:
        group_index = n % len(groups)
        group = groups[group_index]
        return projects[group_index], group[(n // len(groups)) % len(group)]

    def due(n: int) -> dt.date:
        return TODAY + dt.timedelta(days=n % 14 - 10)

    batch = 5000
    for start in range(0, tasks, batch):
        Task.objects.bulk_create(
            Task(
                project_id=owner_of(n)[0],
                owner_id=owner_of(n)[1],
                title=f"Hand-off task {n}",
                due_date=due(n),
            )
            for n in range(start, min(start + batch, tasks))
        )
    for start in range(0, criteria, batch):
        AcceptanceCriterion.objects.bulk_create(
            AcceptanceCriterion(
                project_id=owner_of(n)[0],
                expected_signer_id=owner_of(n)[1],
                statement=f"Criterion {n} holds.",
                due_date=due(n),
            )
            for n in range(start, min(start + batch, criteria))
        )
    # As autovacuum would: PostgreSQL otherwise plans with the empty tables' statistics.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (User, Project, Membership, Task, AcceptanceCriterion):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def main() -> None:
    database_url = configure()
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    from apps.reminders import services
    from apps.reminders.models import DigestLog

    scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        populate()
        print(
            f"Reminders bench: {ITEMS:,} items for {RECIPIENTS:,} people on {connection.vendor}; "
            f"data inserted in {time.perf_counter() - started:.1f} s"
        )
        now = dt.datetime.combine(TODAY, dt.time(7), tzinfo=dt.UTC)

        mail.outbox = []
        queries = Counter()
        with connection.execute_wrapper(queries):
            started, cpu_started = time.perf_counter(), time.process_time()
            report = services.sweep(today=TODAY, now=now)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        items = sum(len(d.lines) for d in report.plan.digests)
        emails = len(mail.outbox)
        again_queries = Counter()
        with connection.execute_wrapper(again_queries):
            started = time.perf_counter()
            again = services.sweep(today=TODAY, now=now)
            again_elapsed = time.perf_counter() - started

        DigestLog.objects.all().delete()
        mail.outbox = []
        tracemalloc.start()
        services.sweep(today=TODAY, now=now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        DigestLog.objects.all().delete()
        worker_mb = _worker_peak_rss(connection.settings_dict)

        ok_time = elapsed < TARGET_SECONDS
        ok_memory = peak / 2**20 < TARGET_MB and worker_mb < TARGET_MB
        print(
            f"  sweep:        {elapsed:6.2f} s  (target < {TARGET_SECONDS:.0f} s) {_ok(ok_time)}; "
            f"{cpu:.2f} s of this process's CPU (a loaded machine stretches the first, not this)"
        )
        print(f"  queries:      {queries.count:6d}    (batches of {settings.REMINDERS_BATCH_SIZE})")
        print(f"  lines listed: {items:6d}    (items, with escalations to leads)")
        print(
            f"  emails:       {emails:6d}    (people with something to say: "
            f"{len(report.plan.digests)}) {_ok(emails == len(report.plan.digests))}"
        )
        print(
            f"  second sweep: {again_elapsed:6.2f} s, {again_queries.count} queries, "
            f"{len(again.sent)} sent {_ok(not again.sent)}"
        )
        print(
            f"  peak memory:  {worker_mb:6.1f} MB peak RSS of a fresh process running the sweep, "
            f"{peak / 2**20:.1f} MB allocated by the sweep itself (tracemalloc); "
            f"target < {TARGET_MB} MB {_ok(ok_memory)}"
        )
        print(f"  database:     {_safe(database_url)}")
    finally:
        connection.creation.destroy_test_db(scratch, verbosity=0)


class Counter:
    """Counts the queries run through the connection (no SQL kept, nothing formatted)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


class SerializingBackend:
    """Does what the SMTP backend does to a message but the network: builds its bytes."""

    def __init__(self, **kwargs: object) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        for message in messages:
            message.message().as_bytes()
        return len(messages)


WORKER = """
import datetime as dt
import resource
import sys

import django

django.setup()
from apps.reminders import services

services.sweep(today=dt.date.fromisoformat(sys.argv[1]), now=dt.datetime.fromisoformat(sys.argv[2]))
# VmHWM: this process's peak resident size in kB. Not ru_maxrss, which on Linux keeps
# the parent's high-water mark across fork and exec.
try:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _worker_peak_rss(database: dict) -> float:
    """The peak resident size, in MB, of a new process that runs the sweep alone, as a
    Celery worker would (the bench's own process also holds the data it inserted)."""
    import subprocess

    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{database['NAME']}"
    else:
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        host = f"{database['HOST']}:{database['PORT'] or 5432}"
        url = f"postgres://{database['USER']}{password}@{host}/{database['NAME']}"
    now = dt.datetime.combine(TODAY, dt.time(7), tzinfo=dt.UTC)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "EMAIL_HOST": "",
        "PYTHONPATH": str(ROOT),
    }
    # Each message is built as SMTP would send it, then dropped (locmem keeps all 2,000).
    code = WORKER.replace(
        "django.setup()",
        "django.setup()\nfrom django.conf import settings\n"
        "settings.EMAIL_BACKEND = 'bench.reminders.SerializingBackend'",
    )
    done = subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", code, TODAY.isoformat(), now.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1]) / 1024


def _ok(passed: bool) -> str:
    return "ok" if passed else "OVER TARGET"


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"


if __name__ == "__main__":
    main()
