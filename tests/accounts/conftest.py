"""Helpers for the sign-in tests: attempts from a chosen address, the auth log's lines."""

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests import factories

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WRONG = "not-the-password-at-all"


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ana(db):
    return factories.UserFactory(email="ana@example.com", full_name="Ana Lima")


def sign_in(client: Client, email: str, password: str, *, ip: str = "203.0.113.7", **headers: str):
    """One sign-in attempt through the login form, from client address `ip`."""
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
        **headers,
    )


@pytest.fixture
def auth_lines(caplog) -> Iterator[Callable[[], list[str]]]:
    """The messages written on `transition.auth` (which does not propagate to root)."""
    logger = logging.getLogger("transition.auth")
    logger.addHandler(caplog.handler)
    try:
        yield lambda: [r.getMessage() for r in caplog.records if r.name == "transition.auth"]
    finally:
        logger.removeHandler(caplog.handler)


def events(lines: list[str]) -> list[str]:
    return [re.match(r"event=(\S+)", line).group(1) for line in lines]


def without_tokens(body: bytes) -> str:
    """A page with its per-response tokens (CSRF, a CSP nonce) blanked out."""
    text = body.decode()
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1-", text)
    text = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1-", text)
    return re.sub(r'(nonce=")[^"]+', r"\1-", text)
