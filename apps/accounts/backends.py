"""The lockout check that runs before any password is compared."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.http import HttpRequest

# Set on a request whose sign-in was refused because of a lockout, before any
# password was checked: the auth log then writes one `login_locked_out` line for
# it instead of a `login_failed` line as well.
REFUSED_WHILE_LOCKED_OUT = "refused_while_locked_out"


class LockoutBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses every sign-in while a lockout holds.

    It authenticates nobody itself; the model backend after it checks the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            # Only code calls authenticate() without a request (the test client's
            # login(), a shell): no sign-in form does, and there is no client
            # address to count. axes would raise here instead.
            return None
        if password is None:
            # Not a password sign-in (single sign-on: the identity provider checked
            # the person): there is nothing to guess here, so no lockout applies.
            return None
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED_WHILE_LOCKED_OUT, True)
            raise
