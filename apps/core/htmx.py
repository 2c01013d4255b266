from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from apps.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request a `login_required` view sees, for type checking only."""

    user: User
    htmx: HtmxDetails


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """The whole page, or only its named partial when htmx asks for a fragment.

    A history restore (the back button after an hx-push-url, when htmx's cache
    misses) swaps the answer into <body>, so it gets the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return f"{page}#{partial}"
    return page
