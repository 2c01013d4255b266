"""Login throttling: per account, per client address, for a window; unlockable by an admin."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.accounts import throttle
from apps.accounts.backends import LockoutBackend
from apps.accounts.models import User
from tests import factories
from tests.accounts.conftest import NOW, WRONG, sign_in, without_tokens

pytestmark = pytest.mark.django_db

LOCKED = 429


def fail(client: Client, email: str, times: int, *, ips: list[str] | None = None):
    """`times` wrong passwords for `email`, from `ips` in turn (or one address)."""
    ips = ips or ["203.0.113.7"]
    return [sign_in(client, email, WRONG, ip=ips[n % len(ips)]) for n in range(times)]


def test_four_failures_leave_the_account_open(client, ana, frozen):
    answers = fail(client, "ana@example.com", 4)

    assert [a.status_code for a in answers] == [200] * 4
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_the_fifth_failure_for_an_account_locks_it_from_every_address(client, ana, frozen):
    # Five failures from five addresses: the account's count, not an address's.
    answers = fail(client, "ana@example.com", 5, ips=[f"198.51.100.{n}" for n in range(1, 6)])

    assert [a.status_code for a in answers] == [200, 200, 200, 200, LOCKED]
    right = sign_in(client, "ana@example.com", factories.PASSWORD, ip="192.0.2.99")
    assert right.status_code == LOCKED
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_a_window_after_the_last_failure(client, ana, frozen):
    fail(client, "ana@example.com", 5)

    frozen.move_to(NOW + dt.timedelta(minutes=14, seconds=59))
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == LOCKED
    frozen.move_to(NOW + dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_attempts_refused_during_a_lockout_do_not_extend_it(client, ana, frozen):
    fail(client, "ana@example.com", 5)
    frozen.move_to(NOW + dt.timedelta(minutes=10))
    fail(client, "ana@example.com", 3)

    frozen.move_to(NOW + dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_failures_far_apart_are_not_counted_together(client, ana, frozen):
    for minutes in range(0, 5 * 16, 16):
        frozen.move_to(NOW + dt.timedelta(minutes=minutes))
        assert sign_in(client, "ana@example.com", WRONG).status_code == 200

    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, ana, frozen):
    for n in range(5):
        sign_in(client, f"guess{n}@example.com", WRONG, ip="198.51.100.9")

    assert sign_in(
        client, "ana@example.com", factories.PASSWORD, ip="198.51.100.9"
    ).status_code == (LOCKED)
    assert sign_in(client, "ana@example.com", factories.PASSWORD, ip="192.0.2.1").status_code == 302


def test_changing_the_case_of_the_email_buys_no_more_guesses(client, ana, frozen):
    spellings = ["ana@example.com", "Ana@example.com", "ANA@EXAMPLE.COM", "ana@Example.com"]
    for n, email in enumerate([*spellings, "aNa@example.com"]):
        sign_in(client, email, WRONG, ip=f"198.51.100.{n + 1}")

    assert sign_in(client, "ana@example.com", factories.PASSWORD, ip="192.0.2.1").status_code == (
        LOCKED
    )


def test_the_limit_and_window_come_from_the_settings(client, ana, frozen, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)

    assert [a.status_code for a in fail(client, "ana@example.com", 2)] == [200, LOCKED]
    frozen.move_to(NOW + dt.timedelta(minutes=1, seconds=1))
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_the_lockout_page_says_until_when_and_nothing_about_the_account(client, ana, frozen):
    fail(client, "ana@example.com", 5)
    page = sign_in(client, "ana@example.com", factories.PASSWORD)

    body = page.content.decode()
    assert page.status_code == LOCKED
    assert "Too many failed sign-in attempts." in body
    assert "Signing in is paused until 2 March 2026, 09:15 UTC (in 15\xa0minutes)" in body
    assert "ana@example.com" not in body
    assert reverse("accounts:password-reset") in body


def test_the_lockout_page_is_the_same_for_an_existing_and_an_unknown_email(ana, frozen):
    pages = []
    for email, ip in [("ana@example.com", "198.51.100.1"), ("nobody@example.com", "198.51.100.2")]:
        client = Client()
        fail(client, email, 5, ips=[ip])
        pages.append(sign_in(client, email, "whatever-they-type", ip=ip))

    assert [p.status_code for p in pages] == [LOCKED, LOCKED]
    assert without_tokens(pages[0].content) == without_tokens(pages[1].content)


def test_a_wrong_password_reads_the_same_for_an_existing_and_an_unknown_email(ana, frozen):
    pages = [
        sign_in(Client(), "ana@example.com", WRONG, ip="198.51.100.1"),
        sign_in(Client(), "nobody@example.com", WRONG, ip="198.51.100.2"),
    ]

    assert [p.status_code for p in pages] == [200, 200]
    assert without_tokens(pages[0].content).replace("ana@", "X@") == without_tokens(
        pages[1].content
    ).replace("nobody@", "X@")


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(client, ana, frozen, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        sign_in(
            client,
            f"guess{n}@example.com",
            WRONG,
            ip="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    answer = sign_in(
        client,
        "ana@example.com",
        factories.PASSWORD,
        ip="198.51.100.9",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert answer.status_code == LOCKED


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(
    client, ana, frozen, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(5):
        # What the client itself put first in the header is ignored.
        sign_in(
            client,
            f"guess{n}@example.com",
            WRONG,
            ip=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.50",
        )

    attacker = sign_in(
        client, "ana@example.com", factories.PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    other = sign_in(
        client, "ana@example.com", factories.PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.60"
    )
    assert (attacker.status_code, other.status_code) == (LOCKED, 302)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}


def test_an_admin_unlocks_an_account_in_the_admin(client, ana, frozen):
    fail(client, "ana@example.com", 5, ips=[f"198.51.100.{n}" for n in range(1, 6)])
    admin = User.objects.create_superuser("root@example.com", "root-password-long")
    staff = Client()
    staff.force_login(admin)

    listing = staff.get(reverse("admin:axes_accessattempt_changelist"), {"q": "ana@example.com"})
    assert listing.status_code == 200
    assert "ana@example.com" in listing.content.decode()
    attempts = AccessAttempt.objects.filter(username="ana@example.com")
    staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )

    assert not AccessAttempt.objects.filter(username="ana@example.com").exists()
    assert sign_in(client, "ana@example.com", factories.PASSWORD).status_code == 302


def test_an_admin_unlocks_an_account_from_the_command_line(client, ana, frozen):
    fail(client, "ana@example.com", 5)

    call_command("axes_reset_username", "ana@example.com")

    assert sign_in(client, "ana@example.com", factories.PASSWORD, ip="192.0.2.1").status_code == 302


def test_the_admin_login_is_throttled_too(client, frozen):
    User.objects.create_superuser("root@example.com", "root-password-long")
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "root@example.com", "password": WRONG},
            REMOTE_ADDR="198.51.100.1",
        )

    answer = client.post(
        reverse("admin:login"),
        {"username": "root@example.com", "password": "root-password-long"},
        REMOTE_ADDR="198.51.100.2",
    )
    assert answer.status_code == LOCKED


def test_signing_in_from_code_without_a_request_still_works(ana):
    # The test client's login() calls authenticate() without a request.
    assert Client().login(username="ana@example.com", password=factories.PASSWORD)
    assert not Client().login(username="ana@example.com", password=WRONG)


def test_a_sign_in_without_a_password_is_not_refused_by_a_lockout(ana, frozen):
    # Single sign-on authenticates with the provider's answer, not a password.
    for n in range(5):
        sign_in(Client(), f"guess{n}@example.com", WRONG, ip="198.51.100.9")
    request = RequestFactory().get("/accounts/oidc/callback/", REMOTE_ADDR="198.51.100.9")

    assert LockoutBackend().authenticate(request, code="from-the-provider") is None
    with pytest.raises(PermissionDenied):
        LockoutBackend().authenticate(request, username="ana@example.com", password="x")


@pytest.mark.parametrize(
    ("credentials", "posted", "expected"),
    [
        ({"username": " Ana@Example.COM "}, {}, "ana@example.com"),
        (None, {"username": "Ana@Example.com"}, "ana@example.com"),
        ({"password": "x"}, {"username": "bob@example.com"}, "bob@example.com"),
        (None, {}, None),
        ({"username": "x" * 300}, {}, "x" * 254),
    ],
)
def test_attempts_are_counted_under_the_lower_cased_account(credentials, posted, expected):
    request = RequestFactory().post("/accounts/login/", posted)

    assert throttle.typed_account(request, credentials) == expected
