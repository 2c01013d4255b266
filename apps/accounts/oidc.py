"""Single sign-on with OpenID Connect, on mozilla-django-oidc.

Our settings (`OIDC_ISSUER`, `OIDC_CLIENT_ID`, ... in transition/settings.py, from
the environment) are mapped onto mozilla-django-oidc's at call time by
`library_setting`, so that `override_settings` works and nothing talks to the
provider at start-up. SSO is on when the issuer, client id and secret are all set.

Endpoints: each of `OIDC_AUTHORIZATION_ENDPOINT`, `OIDC_TOKEN_ENDPOINT`,
`OIDC_USERINFO_ENDPOINT` and `OIDC_JWKS_URI` that is not set is read from
`<OIDC_ISSUER>/.well-known/openid-configuration`, fetched on the first sign-in and
kept for the life of the process (a failed fetch is not kept: the next sign-in
tries again).

What is checked, and by whom: state (known to this session, at most
`STATE_MAX_AGE_SECONDS` old) and PKCE in `CallbackView`; the nonce by the library;
the ID token's RS256 signature against the provider's JWKS, its issuer, its
audience (our client id), `exp` and `iat` in `OIDCBackend._verify_jws`; a verified
email in `OIDCBackend.verify_claims`. Every refusal lands on the login page with a
message, signs nobody in, and writes one `event=oidc_refused` line to the auth log.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from apps.accounts import auth_log
from apps.accounts.models import User

logger = logging.getLogger(__name__)

# The group that may create transitions (made by apps/projects' migration 0006;
# accounts may not import projects, so the name is repeated here).
DELIVERY_LEADS_GROUP = "Delivery leads"
# A sign-in started longer ago than this is refused: the state is stale.
STATE_MAX_AGE_SECONDS = 600
# Clock skew allowed between us and the provider when checking exp and iat.
CLOCK_SKEW_SECONDS = 60
PROVIDER_TIMEOUT_SECONDS = 10


class SignInRefused(Exception):
    """A sign-in the provider vouched for that we refuse, with the reason to show."""

    def __init__(self, reason: str, message: str, account: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason  # a token for the log: email_not_verified, expired_token...
        self.message = message
        self.account = account


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


@dataclass(frozen=True)
class SignInOptions:
    """What the login page offers: single sign-on, passwords, or both."""

    sso: bool
    passwords: bool
    provider_name: str


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID and settings.OIDC_CLIENT_SECRET)


def password_login_allowed() -> bool:
    """Passwords are refused only when LOCAL_LOGIN is off and SSO is on."""
    return bool(settings.LOCAL_LOGIN) or not sso_enabled()


def sign_in_options() -> SignInOptions:
    return SignInOptions(
        sso=sso_enabled(),
        passwords=password_login_allowed(),
        provider_name=settings.OIDC_PROVIDER_NAME,
    )


def endpoints() -> Endpoints:
    """The provider's endpoints: explicit settings first, discovery for the rest."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    explicit = {
        "authorization_endpoint": settings.OIDC_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_USERINFO_ENDPOINT,
        "jwks_uri": settings.OIDC_JWKS_URI,
    }
    found = dict(explicit)
    if not all(explicit.values()):
        discovered = _discovery(issuer)
        found = {key: value or str(discovered.get(key) or "") for key, value in explicit.items()}
    return Endpoints(
        issuer=issuer,
        authorization=found["authorization_endpoint"],
        token=found["token_endpoint"],
        userinfo=found["userinfo_endpoint"],
        jwks=found["jwks_uri"],
    )


@functools.lru_cache(maxsize=8)
def _discovery(issuer: str) -> dict[str, Any]:
    # Cached per issuer for the life of the process; an exception is not cached.
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=PROVIDER_TIMEOUT_SECONDS)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"could not read {url}: {exc}") from exc
    # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one asked for.
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url} names another issuer: {document.get('issuer')!r}")
    return document


def library_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, computed from ours when it asks for them."""
    mapped = {
        "OIDC_RP_CLIENT_ID": lambda: settings.OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": lambda: settings.OIDC_CLIENT_SECRET,
        "OIDC_RP_SCOPES": lambda: settings.OIDC_SCOPES,
        "OIDC_RP_SIGN_ALGO": lambda: "RS256",
        "OIDC_RP_IDP_SIGN_KEY": lambda: None,
        "OIDC_USE_NONCE": lambda: True,
        "OIDC_USE_PKCE": lambda: True,
        "OIDC_CREATE_USER": lambda: True,
        "OIDC_TIMEOUT": lambda: PROVIDER_TIMEOUT_SECONDS,
        "OIDC_STORE_ACCESS_TOKEN": lambda: False,
        "OIDC_STORE_ID_TOKEN": lambda: False,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: endpoints().authorization,
        "OIDC_OP_TOKEN_ENDPOINT": lambda: endpoints().token,
        "OIDC_OP_USER_ENDPOINT": lambda: endpoints().userinfo,
        "OIDC_OP_JWKS_ENDPOINT": lambda: endpoints().jwks,
        "LOGIN_REDIRECT_URL_FAILURE": lambda: resolve_url(settings.LOGIN_URL),
    }
    if name in mapped:
        return mapped[name]()
    return getattr(settings, name, *default)


def _claim_values(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return set()


class PasswordBackend(ModelBackend):
    """Django's password check, refused when LOCAL_LOGIN is off and SSO is on.

    In place of ModelBackend, so that the login form and the admin's both refuse.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not password_login_allowed():
            return None
        return super().authenticate(request, username, password, **kwargs)


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in the account whose email the provider vouches for; makes it the first time.

    The account is found by the email claim (`OIDC_EMAIL_CLAIM`), case-insensitively,
    and only when the provider says the email is verified. With `OIDC_GROUPS_CLAIM`
    set, every sign-in sets staff status and "Delivery leads" membership from the
    groups the provider sends: the provider decides, not the admin.
    """

    get_settings = staticmethod(library_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads the endpoints, and a backend is built
        # for every password sign-in too. They are read in authenticate() instead.
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not sso_enabled():
            return None
        if not (request.GET.get("code") and request.GET.get("state")):
            return None  # a password sign-in, not an OIDC callback
        found = endpoints()
        self.endpoints = found
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        # The library checks the signature only; audience, issuer and times are ours.
        name = settings.OIDC_PROVIDER_NAME
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=settings.OIDC_CLIENT_ID,
                issuer=self.endpoints.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused(
                "expired_token", f"The sign-in from {name} has expired. Please sign in again."
            ) from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(
                "wrong_audience",
                f"The sign-in from {name} was issued for another application, not this one.",
            ) from None
        except jwt.InvalidIssuerError:
            raise SignInRefused(
                "wrong_issuer", f"The sign-in did not come from {name}, so it was refused."
            ) from None
        except jwt.InvalidTokenError:
            raise SignInRefused(
                "invalid_token",
                f"The sign-in from {name} could not be verified (its signature or contents "
                "are not valid), so it was refused.",
            ) from None
        return claims

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint's when there is one."""
        if not self.OIDC_OP_USER_ENDPOINT:
            return payload
        userinfo: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 1.0, 5.3.2: userinfo for another subject must not be used.
        if userinfo.get("sub") != payload.get("sub"):
            raise SignInRefused(
                "subject_mismatch",
                f"{settings.OIDC_PROVIDER_NAME} answered for another person; sign-in refused.",
            )
        return {**payload, **userinfo}

    def _email(self, claims: dict[str, Any]) -> str:
        value = claims.get(settings.OIDC_EMAIL_CLAIM)
        return value.strip().lower() if isinstance(value, str) else ""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        name = settings.OIDC_PROVIDER_NAME
        email = self._email(claims)
        if "@" not in email:
            raise SignInRefused(
                "no_email",
                f"{name} did not send an email address for your account, and Transition "
                "signs people in by email. Ask your administrator.",
            )
        # A missing claim counts as unverified: an unverified email could be anyone's.
        if claims.get("email_verified") not in (True, "true"):
            raise SignInRefused(
                "email_not_verified",
                f"Your email address {email} is not verified at {name}. Verify it there, "
                "then sign in again.",
                account=email,
            )
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email__iexact=self._email(claims))

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"email {self._email(claims)}"

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        user = User.objects.create_user(
            email=self._email(claims), full_name=str(claims.get("name") or "")[:150]
        )
        self._apply_groups(user, claims)
        return user

    @transaction.atomic
    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if not user.full_name and claims.get("name"):
            user.full_name = str(claims["name"])[:150]
            user.save(update_fields=["full_name"])
        self._apply_groups(user, claims)
        return user

    def _apply_groups(self, user: User, claims: dict[str, Any]) -> None:
        if not settings.OIDC_GROUPS_CLAIM:
            return
        groups = _claim_values(claims.get(settings.OIDC_GROUPS_CLAIM))
        if settings.OIDC_STAFF_GROUP:
            is_staff = settings.OIDC_STAFF_GROUP in groups
            if user.is_staff != is_staff:
                user.is_staff = is_staff
                user.save(update_fields=["is_staff"])
        if settings.OIDC_DELIVERY_LEADS_GROUP:
            leads, _ = Group.objects.get_or_create(name=DELIVERY_LEADS_GROUP)
            if settings.OIDC_DELIVERY_LEADS_GROUP in groups:
                user.groups.add(leads)
            else:
                user.groups.remove(leads)


class AuthenticateView(OIDCAuthenticationRequestView):
    """`accounts/oidc/authenticate/`: sends the browser to the provider (404 without SSO)."""

    get_settings = staticmethod(library_setting)

    def __init__(self, **kwargs: Any) -> None:
        # Not the library's __init__: it reads the endpoints, perhaps over the network.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints().authorization
        except ProviderUnavailable as exc:
            logger.warning("OIDC discovery failed: %s", exc)
            messages.error(request, _unreachable_message())
            return redirect(settings.LOGIN_URL)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """`accounts/oidc/callback/`: the provider sends the browser back here with a code.

    Signs the person in, or sends them to the login page with a message saying why
    not; a refusal never signs anybody in.
    """

    get_settings = staticmethod(library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        name = settings.OIDC_PROVIDER_NAME
        state = request.GET.get("state")
        if request.GET.get("code") and state:
            started = request.session.get("oidc_states", {}).get(state)
            if started is None:
                # The library raises SuspiciousOperation (a 400 page) here.
                return self._refuse(
                    "unknown_state",
                    "This sign-in was not started from this browser, or was already used. "
                    "Please sign in again.",
                )
            if time.time() - float(started.get("added_on", 0)) > STATE_MAX_AGE_SECONDS:
                del request.session["oidc_states"][state]
                request.session.modified = True
                return self._refuse(
                    "expired_state",
                    f"The sign-in with {name} took too long and has expired. Please sign in again.",
                )
        try:
            response: HttpResponse = super().get(request)
        except SignInRefused as refused:
            return self._refuse(refused.reason, refused.message, account=refused.account)
        except SuspiciousOperation as exc:  # a nonce that does not match, no key in the JWKS
            logger.warning("OIDC sign-in refused: %s", exc)
            return self._refuse(
                "invalid_token",
                f"The sign-in from {name} could not be verified, so it was refused. "
                "Please sign in again.",
            )
        except (requests.RequestException, ProviderUnavailable) as exc:
            # The exception's text can hold the token endpoint's answer: not logged as is.
            logger.warning("OIDC provider unreachable or refused the code: %s", type(exc).__name__)
            return self._refuse("provider_error", _unreachable_message())
        return response

    def login_failure(self) -> HttpResponse:
        name = settings.OIDC_PROVIDER_NAME
        if self.request.GET.get("error"):
            return self._refuse(
                "provider_refused", f"Sign-in with {name} was cancelled or refused by {name}."
            )
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            return self._refuse(
                "inactive", "This account is deactivated. Ask an administrator.", user.email
            )
        return self._refuse("refused", f"Sign-in with {name} did not succeed. Please try again.")

    def _refuse(self, reason: str, message: str, account: str | None = None) -> HttpResponse:
        auth_log.record(
            "oidc_refused", self.request, account=account, level=logging.WARNING, reason=reason
        )
        messages.error(self.request, message)
        return redirect(settings.LOGIN_URL)


def _unreachable_message() -> str:
    return (
        f"{settings.OIDC_PROVIDER_NAME} could not be reached to sign you in. "
        "Please try again in a moment."
    )
