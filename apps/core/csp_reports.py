"""The receiver for Content-Security-Policy violation reports.

With `CSP_REPORT_URI=/csp-report`, a browser that blocks something on one of our
pages (or, with `CSP_REPORT_ONLY` on, would have blocked it) POSTs a report here,
and each report becomes one WARNING line on the `transition.csp` logger.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("transition.csp")

# A browser's report is a few hundred bytes; a batch of them a few kilobytes.
MAX_BODY_BYTES = 64 * 1024
MAX_REPORTS = 20
MAX_FIELD_CHARS = 300

# The fields a log line keeps: our name, then the `report-uri` name (application/csp-report)
# and the Reporting API's name (application/reports+json).
FIELDS = (
    ("document", "document-uri", "documentURL"),
    ("directive", "effective-directive", "effectiveDirective"),
    ("violated", "violated-directive", None),
    ("blocked", "blocked-uri", "blockedURL"),
    ("source", "source-file", "sourceFile"),
    ("line", "line-number", "lineNumber"),
    ("disposition", "disposition", "disposition"),
    ("sample", "script-sample", "sample"),
)


@csrf_exempt  # browsers send reports without our CSRF token, and a report changes no data
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """204 for a violation report (logged), 400 for anything else, 413 when too large.

    Anyone can post here, so a log line holds only the known fields, each cut short,
    and one request logs at most `MAX_REPORTS` reports. Nothing is stored.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    try:
        reports = violations(json.loads(request.read(MAX_BODY_BYTES + 1)))
    except ValueError:
        reports = []
    if not reports:
        return HttpResponse(status=400)
    for report in reports[:MAX_REPORTS]:
        logger.warning("csp-violation %s", json.dumps(log_fields(report), sort_keys=True))
    return HttpResponse(status=204)


def violations(payload: Any) -> list[dict[str, Any]]:
    """The violation bodies in either format a browser sends; [] when it is neither."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def log_fields(report: dict[str, Any]) -> dict[str, str]:
    """The known fields of one report, as short strings (json.dumps escapes newlines)."""
    fields = {}
    for name, *keys in FIELDS:
        value = next((report[key] for key in keys if key and key in report), None)
        if value is not None and value != "":
            fields[name] = str(value)[:MAX_FIELD_CHARS]
    return fields
