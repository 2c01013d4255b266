from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise.

    Everyone reads `ok` or `degraded` per dependency; staff and internal addresses
    also read the detail (`health.may_see_detail`), which is logged in any case.
    The worker's heartbeat is reported but does not change the status: a stopped
    worker delays reminders and evaluations, it does not stop the web app.
    """
    database = health.check_database()
    broker = health.check_broker()
    worker = health.worker_heartbeat(timezone.now()) if database.ok else None
    health.log_failures(database, broker, worker)
    detailed = health.may_see_detail(request, database_ok=database.ok)
    body = health.report(database, broker, worker, detailed=detailed)
    return JsonResponse(body, status=200 if database.ok and broker.ok else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
