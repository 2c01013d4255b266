"""Sessions end when idle or too old; the check adds no query to a page."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.middleware import stamp_sign_in
from apps.accounts.session_policy import Policy, Verdict, verdict
from tests.accounts.conftest import NOW, events
from tests.core.test_settings import run_with_env

HOUR = 3600
POLICY = Policy(idle_seconds=8 * HOUR, max_age_seconds=24 * HOUR, touch_every=300)
POLICY_MIDDLEWARE = "apps.accounts.middleware.SessionPolicyMiddleware"


@pytest.mark.parametrize(
    ("signed_in_ago", "seen_ago", "expected"),
    [
        (0, 0, Verdict.KEEP),
        (3600, 299, Verdict.KEEP),
        (3600, 300, Verdict.TOUCH),
        (10 * HOUR, 8 * HOUR - 1, Verdict.TOUCH),
        (10 * HOUR, 8 * HOUR, Verdict.IDLE),
        (24 * HOUR - 1, 10, Verdict.KEEP),
        (24 * HOUR, 10, Verdict.TOO_OLD),
        (30 * HOUR, 9 * HOUR, Verdict.TOO_OLD),  # both: too old is the reason given
    ],
)
def test_the_verdict_on_a_session(signed_in_ago, seen_ago, expected):
    now = 1_800_000_000
    assert (
        verdict(started=now - signed_in_ago, last_seen=now - seen_ago, now=now, policy=POLICY)
        is expected
    )


@pytest.fixture
def signed_in(ana, frozen) -> Client:
    client = Client()
    client.force_login(ana)
    return client


def dashboard(client: Client):
    return client.get(reverse("projects:dashboard"))


def at(frozen, **elapsed) -> None:
    frozen.move_to(NOW + dt.timedelta(**elapsed))


@pytest.mark.django_db
def test_a_session_unused_for_eight_hours_ends_with_a_message(signed_in, frozen, auth_lines):
    at(frozen, hours=7, minutes=59)
    assert dashboard(signed_in).status_code == 200
    at(frozen, hours=15, minutes=59)

    ended = dashboard(signed_in)

    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in signed_in.session
    assert events(auth_lines())[-1] == "session_ended"
    assert auth_lines()[-1].startswith('event=session_ended account="ana@example.com" ')
    assert auth_lines()[-1].endswith(" reason=idle")
    page = signed_in.get(ended["Location"])
    assert "You were signed out after 8 hours without activity" in page.content.decode()


@pytest.mark.django_db
def test_a_session_in_use_outlives_the_idle_timeout(signed_in, frozen):
    for hours in range(2, 22, 2):
        at(frozen, hours=hours)
        assert dashboard(signed_in).status_code == 200, hours


@pytest.mark.django_db
def test_a_session_ends_a_day_after_signing_in_however_active(signed_in, frozen, auth_lines):
    for hours in range(4, 24, 4):
        at(frozen, hours=hours)
        assert dashboard(signed_in).status_code == 200

    at(frozen, hours=24)
    assert dashboard(signed_in).status_code == 302
    assert auth_lines()[-1].endswith(" reason=max_age")
    page = signed_in.get(reverse("accounts:login"))
    assert "Your session reached its 24-hour limit" in page.content.decode()


@pytest.mark.django_db
def test_the_timeouts_come_from_the_settings(signed_in, frozen, settings):
    settings.SESSION_IDLE_TIMEOUT_HOURS = 1
    at(frozen, minutes=59)
    assert dashboard(signed_in).status_code == 200
    at(frozen, hours=2)
    assert dashboard(signed_in).status_code == 302


def session_writes(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert dashboard(client).status_code == 200
    return sum(1 for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE"))


@pytest.mark.django_db
def test_the_last_activity_is_written_at_most_every_five_minutes(signed_in, frozen):
    writes = []
    for minutes in (1, 3, 4, 6, 7, 10, 12):
        at(frozen, minutes=minutes)
        writes.append(session_writes(signed_in))

    assert writes == [0, 0, 0, 1, 0, 0, 1]


@pytest.mark.django_db
def test_the_policy_adds_no_query_to_a_signed_in_page(ana, frozen, settings):
    def queries_for_a_page() -> int:
        client = Client()
        client.force_login(ana)
        dashboard(client)  # warm: the first request may load content types and the like
        with CaptureQueriesContext(connection) as queries:
            assert dashboard(client).status_code == 200
        return len(queries)

    with_policy = queries_for_a_page()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != POLICY_MIDDLEWARE]
    without_policy = queries_for_a_page()

    assert with_policy == without_policy


@pytest.mark.django_db
def test_a_request_without_a_session_cookie_is_not_looked_at(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:login")).status_code == 200
    assert len(queries) == 0


def test_a_sign_in_without_a_request_has_no_session_to_stamp(ana):
    stamp_sign_in(sender=None, request=None, user=ana)  # nothing to do, and no error


@pytest.mark.django_db
def test_a_session_from_before_the_policy_gets_its_clock_started(ana, frozen):
    client = Client()
    client.force_login(ana)
    session = client.session
    del session["signed_in_at"], session["last_seen_at"]
    session.save()

    assert dashboard(client).status_code == 200
    assert client.session["signed_in_at"] == int(NOW.timestamp())


def test_the_session_cookie_lives_no_longer_than_the_session_may(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_AGE_HOURS * HOUR == 24 * HOUR
    assert settings.SESSION_IDLE_TIMEOUT_HOURS == 8
    assert not settings.SESSION_SAVE_EVERY_REQUEST


PRINT_COOKIES = (
    "from django.conf import settings; "
    "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_AGE)"
)


def test_cookies_are_host_prefixed_when_https_is_on(tmp_path):
    common = {"DEBUG": "0", "SECRET_KEY": "x", "VAR_DIR": str(tmp_path)}
    https = run_with_env(["-c", PRINT_COOKIES], **common, SESSION_MAX_AGE_HOURS="2")
    plain = run_with_env(["-c", PRINT_COOKIES], **common, HTTPS="0")

    assert https.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "7200"], https.stderr
    assert plain.stdout.split() == ["sessionid", "csrftoken", "86400"], plain.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SESSION_IDLE_TIMEOUT_HOURS", "0", "SESSION_IDLE_TIMEOUT_HOURS must be 1 or more, not 0"),
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT must be 1 or more, not 0"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more, not -1"),
    ],
)
def test_a_setting_out_of_range_is_refused_with_its_name(tmp_path, variable, value, message):
    result = run_with_env(
        ["manage.py", "check"],
        DEBUG="0",
        SECRET_KEY="x",
        VAR_DIR=str(tmp_path),
        **{variable: value},
    )

    assert result.returncode != 0
    assert message in result.stderr
