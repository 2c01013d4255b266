"""Every authentication event writes one structured line on `transition.auth`."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.accounts.conftest import WRONG, events, sign_in

pytestmark = pytest.mark.django_db


def test_a_successful_sign_in_is_one_line_with_account_address_and_request_id(
    client, ana, auth_lines
):
    answer = sign_in(client, "ana@example.com", factories.PASSWORD, ip="203.0.113.7")

    assert auth_lines() == [
        'event=login_succeeded account="ana@example.com" ip=203.0.113.7 '
        f"request_id={answer['X-Request-ID']}"
    ]


def test_a_failure_logs_the_account_as_typed_and_never_the_password(
    client, ana, auth_lines, caplog
):
    answer = sign_in(client, "Ana@Example.com", "my-secret-guess-123", ip="203.0.113.7")

    assert auth_lines() == [
        'event=login_failed account="Ana@Example.com" ip=203.0.113.7 '
        f"request_id={answer['X-Request-ID']}"
    ]
    assert caplog.records[-1].levelno == logging.WARNING
    assert "my-secret-guess-123" not in caplog.text


def test_an_unknown_account_is_logged_like_a_known_one(client, auth_lines):
    sign_in(client, "nobody@example.com", WRONG, ip="203.0.113.7")

    assert auth_lines()[0].startswith(
        'event=login_failed account="nobody@example.com" ip=203.0.113.7 request_id='
    )


def test_fifty_wrong_passwords_lock_after_the_limit_and_every_attempt_is_logged(
    client, ana, frozen, auth_lines, caplog
):
    answers = [sign_in(client, "ana@example.com", f"guess-number-{n}") for n in range(50)]
    right = sign_in(client, "ana@example.com", factories.PASSWORD)

    assert [a.status_code for a in answers] == [200] * 4 + [429] * 46
    assert right.status_code == 429
    lines = auth_lines()
    # Five failures, the fifth also starting the lockout; then one line per refused attempt.
    assert events(lines) == ["login_failed"] * 5 + ["login_locked_out"] * 47
    assert all("until=2026-03-02T09:15:00+00:00" in line for line in lines[5:])
    ids = [a["X-Request-ID"] for a in [*answers, right]]
    assert [line.rsplit("request_id=", 1)[1].split()[0] for line in lines[5:]] == ids[4:]
    assert not any(f"guess-number-{n}" in caplog.text for n in range(50))
    assert factories.PASSWORD not in caplog.text


def test_signing_out_is_logged(client, ana, auth_lines):
    client.force_login(ana)
    answer = client.post(reverse("accounts:logout"))

    assert auth_lines()[-1] == (
        f'event=logout account="ana@example.com" ip=127.0.0.1 request_id={answer["X-Request-ID"]}'
    )


def test_a_password_change_is_logged_without_the_passwords(client, ana, auth_lines, caplog):
    client.force_login(ana)
    answer = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-brand-new-phrase-42",
            "new_password2": "a-brand-new-phrase-42",
        },
    )

    assert answer.status_code == 302
    assert auth_lines()[-1] == (
        'event=password_changed account="ana@example.com" ip=127.0.0.1 '
        f"request_id={answer['X-Request-ID']}"
    )
    assert "a-brand-new-phrase-42" not in caplog.text
    assert factories.PASSWORD not in caplog.text


def test_a_typed_account_cannot_break_the_line(client, auth_lines):
    # The admin's login form takes any text (the site's own asks for an email).
    client.post(
        reverse("admin:login"),
        {"username": 'eve"\nevent=login_succeeded account="ana@example.com', "password": WRONG},
    )

    [line] = auth_lines()
    assert "\n" not in line
    assert line.startswith(
        r'event=login_failed account="eve\"\nevent=login_succeeded account=\"ana@example.com" '
    )


def test_the_client_address_in_the_log_is_the_one_behind_the_trusted_proxy(
    client, ana, auth_lines, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(client, "ana@example.com", WRONG, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.5")

    assert " ip=192.0.2.5 " in auth_lines()[0]


def test_a_sign_in_from_code_has_no_address_or_request_id(ana, auth_lines):
    Client().login(username="ana@example.com", password=WRONG)

    assert auth_lines() == ['event=login_failed account="ana@example.com" ip=- request_id=-']


def test_auth_events_go_to_stderr_one_line_each_whatever_the_root_level():
    config = settings.LOGGING
    logger = config["loggers"]["transition.auth"]
    handler = config["handlers"][logger["handlers"][0]]

    assert logger == {"handlers": ["auth"], "level": "INFO", "propagate": False}
    assert handler["class"] == "logging.StreamHandler"
    assert "stream" not in handler  # StreamHandler's default: sys.stderr
    assert config["formatters"][handler["formatter"]]["format"] == (
        "%(asctime)s %(levelname)s %(name)s %(message)s"
    )
