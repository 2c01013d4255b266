"""The request id on every response, and the client address behind trusted proxies."""

import re

import pytest
from django.test import RequestFactory

from apps.core.client_address import client_address
from apps.core.request_id import request_id_for

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "incoming",
    ["5f0c2b9e-1d4a-4c1e-9a0b-3e2f1d0c9b8a", "abc123", "nginx.req:42_x-1", "a" * 64],
)
def test_a_short_safe_incoming_request_id_is_kept(incoming):
    assert request_id_for(incoming) == incoming


@pytest.mark.parametrize(
    "incoming",
    [None, "", "has space", 'quote"d', "new\nline", "a" * 65, "-starts-with-dash", "é"],
)
def test_anything_else_gets_a_fresh_request_id(incoming):
    assert GENERATED.fullmatch(request_id_for(incoming))


@pytest.mark.django_db
def test_every_response_carries_its_request_id(client):
    kept = client.get("/accounts/login/", HTTP_X_REQUEST_ID="from-the-proxy-1")
    fresh = [client.get("/accounts/login/"), client.get("/"), client.get("/no-such-page/")]

    assert kept["X-Request-ID"] == "from-the-proxy-1"
    assert all(GENERATED.fullmatch(r["X-Request-ID"]) for r in fresh)
    assert len({r["X-Request-ID"] for r in fresh}) == 3
    assert [r.status_code for r in fresh] == [200, 302, 404]


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, None, "198.51.100.1"),
        (0, "203.0.113.7", "198.51.100.1"),  # no trusted proxy: the header is ignored
        (1, None, "198.51.100.1"),  # not through the proxy (an internal probe)
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # entered behind the outer proxy
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "not-an-address", "198.51.100.1"),
        (1, " , ", "198.51.100.1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(
    settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", **headers)

    assert client_address(request) == expected
