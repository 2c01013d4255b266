"""The session policy (`apps.accounts.session_policy`) applied to every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse

from apps.accounts import session_policy
from apps.accounts.session_policy import Verdict

# Seconds since the epoch, in the session (JSON-serialisable, no time zone to get wrong).
STARTED = "signed_in_at"
LAST_SEEN = "last_seen_at"

ENDED_MESSAGES = {
    Verdict.IDLE: "You were signed out after {hours} hours without activity. Please sign in again.",
    Verdict.TOO_OLD: "Your session reached its {hours}-hour limit. Please sign in again.",
}
END_REASONS = {Verdict.IDLE: "idle", Verdict.TOO_OLD: "max_age"}


def policy() -> session_policy.Policy:
    return session_policy.Policy(
        idle_seconds=settings.SESSION_IDLE_TIMEOUT_HOURS * 3600,
        max_age_seconds=settings.SESSION_MAX_AGE_HOURS * 3600,
    )


def stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On `user_logged_in`: the session's clock starts now."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[LAST_SEEN] = now


class SessionPolicyMiddleware:
    """Ends an idle or too old signed-in session; after AuthenticationMiddleware.

    A request without a session cookie is not looked at, so that the check adds no
    query where no session would have been loaded; with one, the session row it
    reads is the one authentication reads anyway (loaded once per request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self.apply(request)
        return self.get_response(request)

    def apply(self, request: HttpRequest) -> None:
        session = request.session
        if auth.SESSION_KEY not in session:
            return
        now = int(time.time())
        if STARTED not in session:
            # Signed in before this policy existed: its clock starts now.
            session[STARTED] = session[LAST_SEEN] = now
            return
        rule = policy()
        result = session_policy.verdict(
            started=session[STARTED], last_seen=session.get(LAST_SEEN, 0), now=now, policy=rule
        )
        if result is Verdict.TOUCH:
            session[LAST_SEEN] = now
        elif result in END_REASONS:
            request.session_end_reason = END_REASONS[result]  # type: ignore[attr-defined]
            auth.logout(request)
            hours = (
                settings.SESSION_IDLE_TIMEOUT_HOURS
                if result is Verdict.IDLE
                else settings.SESSION_MAX_AGE_HOURS
            )
            messages.info(request, ENDED_MESSAGES[result].format(hours=hours))
