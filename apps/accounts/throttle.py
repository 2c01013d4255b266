"""Login throttling with django-axes: whose failures count, and when a lockout ends.

Failed sign-ins are counted twice, per account (the email typed, whether or not
it has an account) and per client address (`apps.core.client_address`), in axes'
database tables. Either count reaching `LOGIN_FAILURE_LIMIT` refuses every
sign-in for that account, or from that address, until `LOGIN_FAILURE_WINDOW_MINUTES`
have passed since the last counted failure. A failure is counted while the
previous one is less than a window old, so slow guessing is counted too.
Attempts refused during a lockout do not extend it (so that the page can say
when it ends), and they are still logged.

Settings: `AXES_*` in `transition/settings.py`; this module supplies the
callables they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.db.models import Max, Sum
from django.http import HttpRequest

# Longest email Django's EmailField accepts; axes' username column holds 255.
ACCOUNT_MAX_LENGTH = 254


def typed_account(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in attempt was for, as axes counts it (AXES_USERNAME_CALLABLE).

    Emails are stored lower-cased, so `Ana@Example.com` and `ana@example.com` are
    one account and one count: changing the case must not buy more guesses.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    account = str(value or "").strip().lower()[:ACCOUNT_MAX_LENGTH]
    return account or None


def locked_until(
    request: HttpRequest, credentials: dict[str, Any] | None = None
) -> dt.datetime | None:
    """When the lockout that refuses this attempt ends; None when nothing is locked.

    Each count (the account's, the address's) that reached the limit ends a window
    after its latest failure; the later of them is when signing in works again.
    """
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    cool_off: dt.timedelta = get_cool_off(request)
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        counted = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (counted["failures"] or 0) >= limit:
            ends.append(counted["last"] + cool_off)
    return max(ends, default=None)
