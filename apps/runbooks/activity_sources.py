"""The runbooks app's contribution to a transition's activity feed: runbooks and their
scenarios told with the feed's generic sentences ("Anna changed the runbook
“Keycloak on call”: status Draft → Published"), and walkthroughs as the evidence they
are ("Sam recorded a walkthrough of “Keycloak is down”: worked")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core.activity import ActivitySource, Event, Sentence, generic_sentence, quote
from apps.runbooks.models import Runbook, Scenario, Walkthrough


def _runbook_link(project_id: int, record: Any, state: str) -> str:
    return reverse("runbooks:detail", args=[project_id, record.id])


def _scenario_link(project_id: int, record: Any, state: str) -> str:
    url = reverse("runbooks:detail", args=[project_id, record.runbook_id])
    return f"{url}#scenario-{record.id}"


def _walkthrough_link(project_id: int, record: Any, state: str) -> str:
    return reverse("runbooks:list", args=[project_id])


def _describe_walkthrough(event: Event) -> Sentence:
    record = event.record
    if event.created:
        outcome = event.show("outcome")
        return Sentence(
            "recorded a walkthrough of",
            quote(str(record.scenario_snapshot.get("title", "a scenario"))),
            f": {outcome.lower()}",
        )
    return generic_sentence(event, "walkthrough", "of a scenario")


KIND = "runbooks"
LABEL = "Runbooks"

SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource(
        Runbook,
        lambda pid: Runbook.history.filter(project_id=pid),
        lambda r: quote(r.title),
        kind=KIND,
        kind_label=LABEL,
        link=_runbook_link,
    ),
    ActivitySource(
        Scenario,
        lambda pid: Scenario.history.filter(project_id=pid),
        lambda r: quote(r.title),
        kind=KIND,
        kind_label=LABEL,
        link=_scenario_link,
    ),
    ActivitySource(
        Walkthrough,
        lambda pid: Walkthrough.history.filter(project_id=pid),
        lambda r: "a walkthrough",
        kind=KIND,
        kind_label=LABEL,
        describe=_describe_walkthrough,
        link=_walkthrough_link,
    ),
)
