"""The monitoring app's contribution to a transition's activity feed: the alert
inventory, the dashboards and the integrations, told with the feed's generic
sentences ("Anna changed the alert “KeycloakDown”: severity High → Critical").

An integration's history leaves out its secret token and signing secret, so the feed
never shows them (a rotation reads as a change with no field named). Verifications
and dashboard confirmations are evidence without an audit history of their own; the
monitoring page and each alert's page list them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core.activity import ActivitySource, quote
from apps.monitoring.models import Alert, Dashboard, Integration


def _alert_link(project_id: int, record: Any, state: str) -> str:
    return reverse("monitoring:alert", args=[project_id, record.id])


def _dashboard_link(project_id: int, record: Any, state: str) -> str:
    return f"{reverse('monitoring:alerts', args=[project_id])}#dashboard-{record.id}"


def _integration_link(project_id: int, record: Any, state: str) -> str:
    return f"{reverse('monitoring:integrations', args=[project_id])}#integration-{record.id}"


KIND = "monitoring"
LABEL = "Monitoring"

SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource(
        Alert,
        lambda pid: Alert.history.filter(project_id=pid),
        lambda r: quote(r.name),
        kind=KIND,
        kind_label=LABEL,
        link=_alert_link,
    ),
    ActivitySource(
        Dashboard,
        lambda pid: Dashboard.history.filter(project_id=pid),
        lambda r: quote(r.title),
        kind=KIND,
        kind_label=LABEL,
        link=_dashboard_link,
    ),
    ActivitySource(
        Integration,
        lambda pid: Integration.history.filter(project_id=pid),
        lambda r: quote(r.name),
        kind=KIND,
        kind_label=LABEL,
        link=_integration_link,
    ),
)
