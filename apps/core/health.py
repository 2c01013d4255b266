"""Reachability checks behind /healthz: plain functions, testable without a request."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection

from apps.core.models import Heartbeat
from transition.celery import app as celery_app


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Check(ok=True, detail=connection.vendor)


def check_broker(timeout: float = 2.0) -> Check:
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            if transport == "filesystem":
                # The filesystem transport "connects" to anything; prove the folder is usable.
                folder = settings.CELERY_BROKER_FOLDER
                if not (folder.is_dir() and folder.exists()):
                    return Check(ok=False, detail=f"broker folder {folder} is missing")
    except Exception as exc:  # kombu raises many types for an unreachable broker
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Check(ok=True, detail=transport)


def worker_heartbeat(now: datetime) -> dict[str, object]:
    """When the worker last ran the scheduled heartbeat task; informative, not fatal."""
    seen_at = Heartbeat.objects.filter(name="worker").values_list("seen_at", flat=True).first()
    if seen_at is None:
        return {"ok": False, "last_seen": None, "age_seconds": None}
    age = int((now - seen_at).total_seconds())
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_STALE_AFTER,
        "last_seen": seen_at.isoformat(),
        "age_seconds": age,
    }
