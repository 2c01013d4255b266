"""A request id on every request and response, to join log lines to one request.

An id arriving in `X-Request-ID` (set by the reverse proxy, so its access log and
ours share it) is kept when it is a short token of safe characters; anything else
is replaced by a fresh one, so that a client cannot put spaces, quotes or line
breaks into our log lines through it. The id is `request.request_id` and goes back
in the response's `X-Request-ID` header.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# Letters, digits and . _ : - (a UUID, a hex digest, nginx's $request_id), at most 64.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def request_id_for(incoming: str | None) -> str:
    """The incoming id when it is safe to log as it is, else a new random one."""
    if incoming and SAFE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def request_id(request: HttpRequest | None) -> str:
    """The request's id, or "-" outside a request (a command, a test client's login())."""
    return getattr(request, "request_id", None) or "-"


class RequestIdMiddleware:
    """Sets `request.request_id` and the `X-Request-ID` response header; first in the list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request.headers.get(HEADER))  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request.request_id  # type: ignore[attr-defined]
        return response
