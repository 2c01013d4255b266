"""Authentication events, one structured line each, on the `transition.auth` logger.

    event=login_failed account="ana@example.com" ip=203.0.113.7 request_id=5f0c...

Events: `login_succeeded`, `login_failed`, `login_locked_out` (the failure that
reached the limit, and every attempt refused while a lockout holds, with `until`),
`logout`, `session_ended` (idle or too old, with `reason`), `password_changed`,
`password_reset_requested` and `password_reset_completed`. `account` is what was
typed, quoted and escaped so that it cannot break the line; a password never
appears. `ip` is the client address as throttling sees it, `request_id` the
`X-Request-ID` of the response. Where the lines go: `LOGGING` in settings (stderr).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.http import HttpRequest

from apps.accounts import backends, throttle
from apps.core.client_address import client_address
from apps.core.request_id import request_id

logger = logging.getLogger("transition.auth")


def record(
    event: str,
    request: HttpRequest | None,
    *,
    account: str | None,
    level: int = logging.INFO,
    **fields: str,
) -> None:
    """Write one line for `event`; `fields` are extra `key=value` pairs of safe tokens."""
    address = (client_address(request) if request is not None else None) or "-"
    parts = [
        f"event={event}",
        f"account={_quoted(account or '')}",
        f"ip={address}",
        f"request_id={request_id(request)}",
        *(f"{key}={value}" for key, value in fields.items()),
    ]
    logger.log(level, " ".join(parts))


def _quoted(value: str) -> str:
    # JSON string syntax: quotes, backslashes and line breaks are escaped, so the
    # line stays one line and `account="..."` is unambiguous to grep and to parse.
    return json.dumps(value[: throttle.ACCOUNT_MAX_LENGTH])


def _typed(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """The account as the person typed it (the login form's field, before lower-casing)."""
    if request is not None and request.method == "POST" and "username" in request.POST:
        return request.POST["username"]
    credentials = credentials or {}
    return str(credentials.get("username") or credentials.get("email") or "")


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


# Receivers of django.contrib.auth's and axes' signals, connected in AccountsConfig.ready().


def on_login_succeeded(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record("login_succeeded", request, account=user.get_username())


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """After axes' own receiver (connected first): it has counted the failure by now."""
    account = _typed(request, credentials)
    if not getattr(request, backends.REFUSED_WHILE_LOCKED_OUT, False):
        # A password was checked and was wrong (or the account does not exist).
        record("login_failed", request, account=account, level=logging.WARNING)
    if request is not None and getattr(request, "axes_locked_out", False):
        # This failure reached the limit, or the attempt was refused during a lockout.
        until = throttle.locked_until(request, credentials)
        record(
            "login_locked_out",
            request,
            account=account,
            level=logging.WARNING,
            until=_timestamp(until) if until else "-",
        )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    account = user.get_username() if user is not None else ""
    reason = getattr(request, "session_end_reason", None)
    if reason:
        record("session_ended", request, account=account, reason=reason)
    else:
        record("logout", request, account=account)
