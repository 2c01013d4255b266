"""The monitoring app's hand-off items for the reminders (`apps/reminders/items.py`).

As go-live nears (within `MONITORING_REMIND_DAYS` of it, or past it, while the
transition is still in planning or readiness), each critical or high alert not yet
proven (never verified, verified only for an earlier definition, or stale) is an
item for the transition's lead, due on the go-live date; each dashboard not
confirmed live at its address is an item for its owner. Either is done the moment
the proof arrives: a webhook pair, a manual verification, a confirmation.

Two queries whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import cast

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from apps.monitoring.models import MUST_VERIFY, Alert, Dashboard, DashboardCheck
from apps.projects.models import Phase
from apps.reminders.handoff import HandoffItem

ALERT = "alert"
DASHBOARD = "dashboard"
BEFORE_GO_LIVE = (Phase.PLANNING, Phase.READINESS)
CHUNK = 2000


def items(
    today: dt.date,
    *,
    until: dt.date | None = None,
    project_ids: Collection[int] | None = None,
    person: int | None = None,
) -> Iterator[HandoffItem]:
    """Alerts to prove and dashboards to confirm in transitions going live by the
    horizon; with `person`, only that user's."""
    horizon = until or today + dt.timedelta(days=settings.MONITORING_REMIND_DAYS)
    near = Q(project__phase__in=BEFORE_GO_LIVE, project__go_live_date__lte=horizon)
    if project_ids is not None:
        near &= Q(project_id__in=list(project_ids))
    fresh_since = timezone.now() - dt.timedelta(days=settings.MONITORING_VERIFICATION_DAYS)
    same_definition = Q(
        verifications__alert_name=F("name"), verifications__alert_matchers=F("matchers")
    )
    alerts = (
        Alert.objects.filter(near, severity__in=MUST_VERIFY, is_heartbeat=False)
        .annotate(verified_at=Max("verifications__verified_at", filter=same_definition))
        .filter(Q(verified_at__isnull=True) | Q(verified_at__lt=fresh_since))
    )
    if person is not None:
        alerts = alerts.filter(project__lead_id=person)
    alert_rows = alerts.order_by().values_list(
        "pk", "project_id", "project__name", "project__lead_id", "name", "project__go_live_date"
    )
    for pk, project_id, project_name, lead_id, name, go_live in alert_rows.iterator(CHUNK):
        yield HandoffItem(
            key=f"{ALERT}:{pk}",
            project_id=project_id,
            project_name=project_name,
            recipient_id=lead_id,
            title=f"Prove that the alert “{name}” fires and resolves",
            due_date=cast(dt.date, go_live),  # the filter keeps transitions with a date
            url=reverse("monitoring:alert", args=[project_id, pk]),
            kind=ALERT,
        )
    confirmed = DashboardCheck.objects.filter(dashboard=OuterRef("pk"), url=OuterRef("url"))
    dashboards = Dashboard.objects.filter(near).exclude(Exists(confirmed))
    if person is not None:
        dashboards = dashboards.filter(owner_id=person)
    dashboard_rows = dashboards.order_by().values_list(
        "pk", "project_id", "project__name", "owner_id", "title", "project__go_live_date"
    )
    for pk, project_id, project_name, owner_id, title, go_live in dashboard_rows.iterator(CHUNK):
        yield HandoffItem(
            key=f"{DASHBOARD}:{pk}",
            project_id=project_id,
            project_name=project_name,
            recipient_id=owner_id,
            title=f"Confirm the dashboard “{title}” is live",
            due_date=cast(dt.date, go_live),  # the filter keeps transitions with a date
            url=f"{reverse('monitoring:alerts', args=[project_id])}#dashboard-{pk}",
            kind=DASHBOARD,
        )
