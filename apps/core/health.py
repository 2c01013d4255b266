"""Reachability checks behind /healthz: plain functions, testable without a request.

What the public may read is only whether each dependency is `ok` or `degraded`.
The detail (the database vendor, the broker's error with its host and port, the
worker's last heartbeat) is logged, and added to the answer only for staff and
for requests from the networks in `HEALTHZ_INTERNAL_NETWORKS`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from apps.core.client_address import client_address
from apps.core.models import Heartbeat
from transition.celery import app as celery_app

logger = logging.getLogger("transition.health")

OK = "ok"
DEGRADED = "degraded"


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


def report(
    database: Check, broker: Check, worker: dict[str, object] | None, *, detailed: bool
) -> dict[str, object]:
    """The body of /healthz: `ok` or `degraded` per dependency, the detail only if `detailed`.

    `status` is `ok` when the database and the broker answer, else `error`; the
    worker does not change it. `worker` is None when the database is unreachable
    (its heartbeat lives there): the key is then absent.
    """
    body: dict[str, object] = {
        "status": OK if database.ok and broker.ok else "error",
        "database": _state(database.ok),
        "broker": _state(broker.ok),
    }
    if worker is not None:
        body["worker"] = _state(bool(worker["ok"]))
    if detailed:
        detail: dict[str, object] = {"database": database.detail, "broker": broker.detail}
        if worker is not None:
            detail["worker"] = {key: worker[key] for key in ("last_seen", "age_seconds")}
        body["detail"] = detail
    return body


def log_failures(database: Check, broker: Check, worker: dict[str, object] | None) -> None:
    """One line per failing check on the `transition.health` logger, with the detail.

    The detail is written with repr() so that a multi-line driver error stays on one line.
    """
    for name, check in (("database", database), ("broker", broker)):
        if not check.ok:
            logger.error("healthz check=%s status=%s detail=%r", name, DEGRADED, check.detail)
    if worker is not None and not worker["ok"]:
        seen = (
            f"last heartbeat {worker['age_seconds']} seconds ago"
            if worker["last_seen"]
            else "no heartbeat recorded"
        )
        logger.warning("healthz check=worker status=%s detail=%r", DEGRADED, seen)


def is_internal(address: str | None, networks: Iterable[str]) -> bool:
    """Whether `address` lies in one of `networks` (CIDRs); an unknown or unreadable
    address is not."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    # "::ffff:127.0.0.1" (IPv4 seen through an IPv6 socket) counts as 127.0.0.1.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(network) for network in networks)


def may_see_detail(request: HttpRequest, *, database_ok: bool) -> bool:
    """Requests from an internal network, and staff users, see the detail.

    The address is checked first: it needs no database. The user is looked up
    only while the database answers, or a probe carrying a session cookie would
    turn a 503 into a 500.
    """
    # The client's address as login throttling reads it: behind TRUSTED_PROXY_COUNT
    # proxies, from X-Forwarded-For; otherwise the connection's.
    if is_internal(client_address(request), settings.HEALTHZ_INTERNAL_NETWORKS):
        return True
    if not database_ok:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _state(ok: bool) -> str:
    return OK if ok else DEGRADED
