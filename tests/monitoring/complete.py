"""A transition whose "Monitoring" gate passes: a high alert verified by hand and a
dashboard confirmed live, both by `ops` (an operations member)."""

from django.utils import timezone

from apps.monitoring import services
from apps.monitoring.models import Alert, Dashboard, Severity


def monitoring_fully(project, by, ops) -> None:
    alert = services.alert_save(
        alert=Alert(project=project, name="ServiceDown", severity=Severity.HIGH), by=by
    )
    services.verification_record(
        alert=alert, by=ops, evidence="Fired in staging and resolved.", now=timezone.now()
    )
    dashboard = services.dashboard_save(
        dashboard=Dashboard(
            project=project,
            title="Service overview",
            url="https://grafana.example.com/d/svc",
            owner=by,
        ),
        by=by,
    )
    services.dashboard_confirm(dashboard=dashboard, by=ops, now=timezone.now())
