"""The webhook receivers: `POST /hooks/<source>/<token>/`.

The contract monitoring tools rely on (DESIGN.md): 202 when accepted, 404 for an
unknown token (or a source that is not the integration's), 400 for a body that is
not the source's format, 413 over 1 MiB, and a repeated delivery recorded once.
Besides: 401 when a PagerDuty signing secret is set and the signature does not
match, 405 for anything but POST. Every answer is JSON with a sentence in `error`
when refused, so a person reading the sender's log knows what to fix.

The token is the credential, so this is a CSRF-exempt view, and the token never
reaches a log: Django's own "Not Found: <path>" line is replaced by one that shows
only the token's first characters.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.monitoring import services, sources
from apps.monitoring.models import Integration, Source

logger = logging.getLogger("transition.monitoring")

MAX_BODY_BYTES = 1024 * 1024


def _answer(status: int, request: HttpRequest, **data: object) -> JsonResponse:
    response = JsonResponse(data, status=status)
    if status >= 400:
        # Django would log the path, token included; log a redacted line instead.
        response._has_been_logged = True  # type: ignore[attr-defined]
        logger.warning(
            "webhook %s refused with %s: %s", _redacted(request), status, data.get("error", "")
        )
    return response


def _redacted(request: HttpRequest) -> str:
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    token = str(kwargs.get("token", ""))
    return f"/hooks/{kwargs.get('source', '?')}/{token[:4]}…/"


@csrf_exempt  # the secret token in the address is the credential; senders have no CSRF token
def receive(request: HttpRequest, source: str, token: str) -> JsonResponse:
    if request.method != "POST":
        response = _answer(405, request, error="Send notifications with POST.")
        response["Allow"] = "POST"
        return response
    if source not in Source.values:
        return _answer(404, request, error=f"Unknown source “{source[:40]}”.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _answer(400, request, error="The Content-Length header is not a number.")
    if length > MAX_BODY_BYTES:
        return _answer(413, request, error="The body is over 1 MiB.")
    integration = (
        Integration.objects.select_related("project").filter(token=token, source=source).first()
    )
    if integration is None or integration.project.is_closed:
        return _answer(404, request, error="No open transition has this webhook address.")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _answer(413, request, error="The body is over 1 MiB.")
    if (
        source == Source.PAGERDUTY
        and integration.signing_secret
        and not sources.pagerduty_signature_ok(
            integration.signing_secret, body, request.headers.get("X-PagerDuty-Signature")
        )
    ):
        return _answer(
            401, request, error="The X-PagerDuty-Signature does not match the signing secret."
        )
    try:
        parsed = sources.parse(source, body)
    except sources.PayloadError as error:
        return _answer(400, request, error=str(error))
    received = services.receive(
        integration=integration,
        parsed=parsed,
        body=body.decode("utf-8"),
        now=timezone.now(),
    )
    return _answer(
        202,
        request,
        notifications=received.notifications,
        new=received.new,
        verified=received.verified,
    )
