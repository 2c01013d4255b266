"""The client's IP address, read the same way for login throttling and for the logs.

`TRUSTED_PROXY_COUNT` says how many reverse proxies stand in front of the app,
each appending the address it received the request from to `X-Forwarded-For`.
With none (the default) the header is ignored: anyone can send one, so only the
socket's address (`REMOTE_ADDR`) is believed. With N proxies the client is the
N-th entry from the right of the header: the entries left of it were written by
the client itself and prove nothing.

This is not django-ipware's `proxy_count`: that one counts the proxies listed
*inside* the header (one fewer than stand in front of the app), and in its strict
mode a header the client pre-filled is discarded and the proxy's own address used
instead, which puts every such client into one shared throttling bucket.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the trusted proxies saw it; None when unknown."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if not forwarded:
        # Not through the proxies at all (a health probe on the internal network).
        return remote
    # Fewer hops than proxies: the request entered behind the outermost one; the
    # left-most hop is then the address the first proxy it met saw.
    return _address_of(forwarded[-min(trusted, len(forwarded))]) or remote


def _address_of(hop: str) -> str | None:
    """The IP address in one hop: `203.0.113.7`, `203.0.113.7:51234` or `[2001:db8::7]:443`."""
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None
