from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise.

    The worker's heartbeat is reported but does not change the status: a stopped
    worker delays reminders and evaluations, it does not stop the web app.
    """
    database = health.check_database()
    broker = health.check_broker()
    body: dict[str, object] = {
        "status": "ok" if database.ok and broker.ok else "error",
        "database": {"ok": database.ok, "detail": database.detail},
        "broker": {"ok": broker.ok, "detail": broker.detail},
    }
    if database.ok:
        body["worker"] = health.worker_heartbeat(timezone.now())
    return JsonResponse(body, status=200 if database.ok and broker.ok else 503)
