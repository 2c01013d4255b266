"""A transition whose go-live gates all pass: the support model (`model_fully`) and a
published runbook with a rehearsed scenario for each critical component, written
through the services. For tests elsewhere that need a "ready" transition."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.projects.models import Role
from apps.runbooks import services
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario
from apps.support.models import Component, Criticality
from tests.monitoring.complete import monitoring_fully
from tests.support.factories import model_fully


def runbook_fully(project, by, ops) -> Runbook:
    """A published runbook covering every critical component, each scenario complete and
    walked through by `ops` (an operations member) today."""
    runbook = services.runbook_save(
        runbook=Runbook(
            project=project,
            title="On call",
            owner=by,
            review_by=timezone.localdate() + dt.timedelta(days=90),
            status=RunbookStatus.PUBLISHED,
        ),
        by=by,
    )
    for component in Component.objects.filter(project=project, criticality=Criticality.CRITICAL):
        scenario = services.scenario_save(
            scenario=Scenario(
                project=project,
                runbook=runbook,
                component=component,
                title=f"{component.name} is down",
                symptoms="Alerts fire; users see errors.",
                normal="p95 latency under 200 ms.",
                problem="5xx above 1% for 5 minutes.",
                resolution="Restart the service, then check the logs.",
            ),
            by=by,
        )
        services.walkthrough_record(
            scenario=scenario,
            held_on=timezone.localdate(),
            kind="tabletop",
            participants=[ops],
            outcome=Outcome.WORKED,
            gaps_found="",
            follow_ups=[],
            by=ops,
            role=Role.OPS,
            now=timezone.now(),
        )
    return runbook


def every_gate_passing(project, lead, ops) -> None:
    """The support model, the runbooks and the monitoring of `project`, complete (`ops`
    an ops member)."""
    model_fully(project, lead, ops)
    runbook_fully(project, lead, ops)
    monitoring_fully(project, lead, ops)
