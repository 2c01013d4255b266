"""What every bench shares: Django set up on the named database, and a scratch
database beside it, so that a bench never writes to the one `DATABASE_URL` names.

The database: the engine and server that BENCH_DATABASE_URL, else DATABASE_URL,
names (a temporary SQLite file when neither is set). The scratch database is
created by the caller (`connection.creation.create_test_db`) under the name set
here: a file in a temporary folder on SQLite (on disk, as in production; the test
runner's default is in memory), `<name>_<suffix>` on PostgreSQL, so that it never
clobbers a test run's `test_<name>`.
"""

from __future__ import annotations

import os
import tempfile
import warnings


def configure(*, prefix: str, suffix: str) -> str:
    """Set Django up for a bench; returns the database URL (for the report)."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["VAR_DIR"] = workdir
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    os.environ["DATABASE_URL"] = url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transition.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    # Keep one connection, as production does (DATABASE_CONN_MAX_AGE); reconnecting
    # would also clear the query log the counts are read from.
    database["CONN_MAX_AGE"] = None
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = f"{workdir}/bench-scratch.sqlite3"
    else:
        database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_{suffix}"
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    return os.environ["DATABASE_URL"]
