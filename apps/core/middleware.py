"""Middleware shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.request import QueryDict

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed in a request."


class RejectNullCharactersMiddleware:
    """Answer 400 to a request whose path, query string or form body holds a NUL.

    PostgreSQL cannot store or compare text containing NUL: a filter value such as
    the admin's `?status=%00` reached the database and answered 500. No person types
    one, so the whole request is refused before any view, the admin's included, sees
    it. The form body is read in `process_view`, where `CsrfViewMiddleware` reads it
    anyway; views exempt from CSRF (webhooks, which read the raw body) are left to
    parse their own bodies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _holds_nul(request.GET):
            return _refused()
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        return _refused() if _holds_nul(request.POST) else None


def _refused() -> HttpResponse:
    return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")


def _holds_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())
