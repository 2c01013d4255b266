"""Single sign-on, end to end: the test client, through the real redirect flow, against
the OpenID Connect provider in tests/accounts/oidc_provider.py (real HTTP, real RSA)."""

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import requests
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from tests import factories
from tests.accounts.conftest import events
from tests.accounts.oidc_provider import OIDCProvider
from tests.core.test_settings import run_with_env

pytestmark = pytest.mark.django_db

CLIENT_ID = "transition"
CLIENT_SECRET = "provider-shared-secret-123"


@pytest.fixture
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as running:
        yield running


@pytest.fixture
def sso(settings, provider: OIDCProvider) -> OIDCProvider:
    """SSO configured as an operator would: issuer, client id and secret, nothing else."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    return provider


def start_sign_in(client: Client) -> str:
    """Click the button, let the provider approve: the callback URL it sends back."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    return at_provider.headers["Location"].removeprefix("http://testserver")


def sign_in(client: Client):
    return client.get(start_sign_in(client))


def assert_refused(client: Client, response, message: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    page = client.get(response["Location"])
    assert message in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_person_signs_in_through_the_provider_and_an_account_is_made(client, sso):
    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:dashboard")
    user = User.objects.get(email="ana@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.full_name == "Ana Example"
    assert not user.has_usable_password()
    assert not user.is_staff
    assert client.get(reverse("projects:dashboard")).status_code == 200


def test_an_existing_account_is_found_by_its_email_in_any_case(client, sso):
    existing = factories.UserFactory(email="ana@example.com", full_name="Ana Original")
    sso.claims["email"] = "Ana@Example.COM"

    sign_in(client)

    assert client.session["_auth_user_id"] == str(existing.pk)
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.full_name == "Ana Original"
    assert existing.has_usable_password()


def test_the_sign_in_returns_to_the_page_asked_for(client, sso):
    start = client.get(reverse("oidc_authentication_init"), {"next": "/accounts/password/"})
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    response = client.get(at_provider.headers["Location"].removeprefix("http://testserver"))
    assert response["Location"] == "/accounts/password/"


def test_the_groups_claim_grants_staff_and_delivery_leads_and_takes_them_back(
    client, sso, settings
):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_STAFF_GROUP = "transition-admins"
    settings.OIDC_DELIVERY_LEADS_GROUP = "delivery-leads"
    sso.claims["groups"] = ["transition-admins", "delivery-leads", "other"]

    sign_in(client)

    user = User.objects.get(email="ana@example.com")
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name="Delivery leads").exists()
    assert user.has_perm("projects.create_transition")

    sso.claims["groups"] = ["other"]
    client.post(reverse("accounts:logout"))
    sign_in(client)

    user = User.objects.get(email="ana@example.com")
    assert not user.is_staff
    assert not user.groups.filter(name="Delivery leads").exists()


def test_without_a_groups_claim_configured_staff_and_groups_are_left_alone(client, sso):
    existing = factories.UserFactory(email="ana@example.com", is_staff=True)
    existing.groups.add(Group.objects.get_or_create(name="Delivery leads")[0])
    sso.claims["groups"] = []

    sign_in(client)

    existing.refresh_from_db()
    assert existing.is_staff
    assert existing.groups.filter(name="Delivery leads").exists()


def test_another_email_claim_can_be_named(client, sso, settings):
    settings.OIDC_EMAIL_CLAIM = "upn"
    sso.claims["upn"] = "ana.upn@example.com"

    sign_in(client)

    assert User.objects.get(pk=client.session["_auth_user_id"]).email == "ana.upn@example.com"


def test_explicit_endpoints_are_used_without_discovery(client, sso, settings):
    settings.OIDC_ISSUER = sso.issuer + "/"  # a trailing slash is forgiven
    settings.OIDC_AUTHORIZATION_ENDPOINT = f"{sso.issuer}/authorize"
    settings.OIDC_TOKEN_ENDPOINT = f"{sso.issuer}/token"
    settings.OIDC_USERINFO_ENDPOINT = f"{sso.issuer}/userinfo"
    settings.OIDC_JWKS_URI = f"{sso.issuer}/jwks"
    sso.discovery = lambda: {"issuer": "http://elsewhere"}  # would fail if read

    sign_in(client)

    assert "_auth_user_id" in client.session


# Refusals: each lands on the login page with a message, and signs nobody in.


def test_a_forged_state_is_refused(client, sso):
    callback = start_sign_in(client)
    forged = callback.split("&state=")[0] + "&state=forged-by-someone"

    response = client.get(forged)

    assert_refused(client, response, "was not started from this browser")
    assert not User.objects.exists()
    # The code was never exchanged.
    assert sso.token_requests == []


def test_a_state_used_twice_is_refused_the_second_time(client, sso):
    callback = start_sign_in(client)
    client.get(callback)
    client.post(reverse("accounts:logout"))

    assert_refused(client, client.get(callback), "was not started from this browser")


def test_a_sign_in_that_took_too_long_is_refused(client, sso):
    callback = start_sign_in(client)

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=11)):
        response = client.get(callback)

    assert_refused(client, response, "took too long and has expired")
    assert not User.objects.exists()


def test_a_token_for_another_audience_is_refused(client, sso):
    sso.audience = "some-other-application"

    assert_refused(client, sign_in(client), "was issued for another application")
    assert not User.objects.exists()


def test_a_token_with_a_bad_signature_is_refused(client, sso):
    sso.sign_with_another_key = True

    assert_refused(client, sign_in(client), "could not be verified")
    assert not User.objects.exists()


def test_an_expired_token_is_refused(client, sso):
    sso.token_lifetime = -600

    assert_refused(client, sign_in(client), "The sign-in from Example SSO has expired")
    assert not User.objects.exists()


def test_an_unverified_email_is_refused_with_a_clear_message(client, sso):
    factories.UserFactory(email="ana@example.com")
    sso.claims["email_verified"] = False

    assert_refused(client, sign_in(client), "Your email address ana@example.com is not verified")


def test_a_token_without_email_verified_counts_as_unverified(client, sso):
    del sso.claims["email_verified"]

    assert_refused(client, sign_in(client), "is not verified at Example SSO")
    assert not User.objects.exists()


def test_a_deactivated_account_is_refused(client, sso):
    factories.UserFactory(email="ana@example.com", is_active=False)

    assert_refused(client, sign_in(client), "This account is deactivated")


def test_the_provider_saying_no_is_shown(client, sso):
    client.get(reverse("oidc_authentication_init"))

    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied"})

    assert_refused(client, response, "cancelled or refused by Example SSO")


def test_an_unreachable_provider_is_a_message_not_an_error_page(client, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET

    response = client.get(reverse("oidc_authentication_init"))

    assert_refused(client, response, "could not be reached")


def test_refusals_and_sign_ins_are_logged_without_secrets(client, sso, auth_lines, caplog):
    sso.sign_with_another_key = True
    with caplog.at_level(logging.DEBUG):
        sign_in(client)
        sso.sign_with_another_key = False
        sign_in(client)

    lines = auth_lines()
    assert events(lines) == ["oidc_refused", "login_succeeded"]
    assert "reason=invalid_token" in lines[0]
    assert 'account="ana@example.com"' in lines[1]
    for secret in (CLIENT_SECRET, *(form["code"] for form in sso.token_requests)):
        assert secret not in caplog.text


# The login page and password sign-in.


def test_the_login_page_offers_the_provider_when_sso_is_on(client, sso):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with Example SSO" in page
    assert reverse("oidc_authentication_init") in page
    assert 'name="password"' in page


def test_without_sso_there_is_no_button_and_the_sso_pages_are_404(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_with_local_login_off_passwords_are_refused_and_only_the_button_shows(
    client, sso, settings
):
    settings.LOCAL_LOGIN = False
    factories.UserFactory(email="ana@example.com")

    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with Example SSO" in page
    assert 'name="password"' not in page
    assert "Password sign-in is switched off" in page

    response = client.post(
        reverse("accounts:login"),
        {"username": "ana@example.com", "password": factories.PASSWORD},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    sign_in(client)
    assert "_auth_user_id" in client.session


def test_local_login_off_without_sso_still_accepts_passwords(client, settings):
    # settings.py refuses LOCAL_LOGIN=0 without SSO at start; at run time, passwords win.
    settings.LOCAL_LOGIN = False
    factories.UserFactory(email="ana@example.com")
    client.post(
        reverse("accounts:login"),
        {"username": "ana@example.com", "password": factories.PASSWORD},
    )
    assert "_auth_user_id" in client.session


# Settings, read once at start: each case in a fresh process.


def test_settings_refuse_half_an_sso_configuration(tmp_path):
    result = run_with_env(
        ["manage.py", "check"], DEBUG="1", VAR_DIR=str(tmp_path), OIDC_ISSUER="https://sso"
    )
    assert result.returncode != 0
    assert "Single sign-on needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET as well" in result.stderr


def test_settings_refuse_local_login_off_without_sso(tmp_path):
    result = run_with_env(["manage.py", "check"], DEBUG="1", VAR_DIR=str(tmp_path), LOCAL_LOGIN="0")
    assert result.returncode != 0
    assert "LOCAL_LOGIN=0 needs single sign-on" in result.stderr


def test_settings_accept_sso_from_the_environment_without_reaching_the_provider(tmp_path):
    result = run_with_env(
        ["manage.py", "check"],
        DEBUG="1",
        VAR_DIR=str(tmp_path),
        OIDC_ISSUER="http://127.0.0.1:9/realms/acme/",
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        LOCAL_LOGIN="0",
    )
    assert result.returncode == 0, result.stderr
