"""Signed unsubscribe links: no login, one person each, unforgeable.

The token is the user's id signed with SECRET_KEY under a salt of its own (so no
other signed value of the site is accepted as one). It does not expire: a link in a
months-old email still stops the reminders, as people expect of an unsubscribe link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "transition.reminders.unsubscribe"


class BadToken(Exception):
    """The token was not made by this site for a person (edited, truncated, forged)."""


def token_for(user_id: int) -> str:
    return signing.dumps(user_id, salt=SALT, compress=False)


def user_id_from(token: str) -> int:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadToken from None
    if not isinstance(value, int):
        raise BadToken
    return value


def url_for(user_id: int) -> str:
    """The absolute link, at the site's public address (never a request's Host)."""
    return settings.BASE_URL + reverse("reminders:unsubscribe", args=[token_for(user_id)])
