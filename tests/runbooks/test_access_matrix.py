"""Who may use each route of a transition's runbooks: the runbooks app's access matrix.

Every member reads (the list, the reading view, the exports); the delivery team (lead
and contributor) edits runbooks and scenarios; operations (and the lead) records
walkthroughs.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.concurrency import version_of
from apps.projects.models import Project, Task
from apps.runbooks import services
from apps.runbooks.models import Runbook, RunbookStatus, Scenario, Walkthrough
from apps.support import services as support_services
from apps.support.models import Component, Criticality
from tests import access_matrix, factories
from tests.access_matrix import Route

pytestmark = pytest.mark.django_db

EDITORS = frozenset({"lead", "contributor"})
WALKERS = frozenset({"ops", "lead"})


@dataclass(frozen=True)
class World:
    project: Project
    component: Component
    runbook: Runbook  # published, with `scenario` then `other`
    scenario: Scenario  # never walked through: deletable
    other: Scenario
    spare: Runbook  # a draft without scenarios: deletable


def build_world(project: Project) -> World:
    """A runbook with two scenarios and a spare draft, written through the services as
    the lead, for the transition's first component (one is added when it has none)."""
    lead = project.lead
    component = Component.objects.filter(project=project).order_by("pk").first()
    if component is None:
        component = support_services.component_save(
            component=Component(
                project=project, name="Payments API", criticality=Criticality.CRITICAL
            ),
            by=lead,
        )
    review_by = timezone.localdate() + dt.timedelta(days=60)
    runbook = services.runbook_save(
        runbook=Runbook(
            project=project,
            title="Payments on-call runbook",
            component=component,
            owner=lead,
            review_by=review_by,
            status=RunbookStatus.PUBLISHED,
        ),
        by=lead,
    )
    scenario, other = (
        services.scenario_save(
            scenario=Scenario(
                project=project,
                runbook=runbook,
                title=title,
                component=component,
                symptoms="Checkout fails.",
                normal="Errors below 0.1%.",
                problem="Errors above 5%.",
                resolution="Restart the pods.",
                alert_names=alert,
            ),
            by=lead,
        )
        for title, alert in (
            ("The API answers 5xx", "PaymentsApi5xx"),
            ("The ledger lags", "LedgerLag"),
        )
    )
    spare = services.runbook_save(
        runbook=Runbook(project=project, title="Spare draft", owner=lead, review_by=review_by),
        by=lead,
    )
    return World(project, component, runbook, scenario, other, spare)


@pytest.fixture
def world(project, lead, contributor, ops, viewer, outsider):
    return build_world(project)


def snapshot():
    return (
        list(Runbook.objects.order_by("pk").values_list("title", "status", "review_by")),
        list(Scenario.objects.order_by("pk").values_list("title", "position", "symptoms")),
        list(Walkthrough.objects.order_by("pk").values_list("pk", "outcome")),
        list(Task.objects.order_by("pk").values_list("pk", "title")),
    )


def _project(w: World) -> list:
    return [w.project.pk]


def _runbook(w: World) -> list:
    return [w.project.pk, w.runbook.pk]


def _scenario(w: World) -> list:
    return [w.project.pk, w.scenario.pk]


def _scenario_data(w: World, title: str) -> dict:
    return {
        "title": title,
        "component": w.component.pk,
        "symptoms": "Refunds stall.",
        "normal": "Refunds settle within a minute.",
        "problem": "Refunds queued over 10 minutes.",
        "resolution": "Drain the queue.",
        "alert_names": "RefundQueueStuck",
    }


MATRIX = access_matrix.Matrix(
    snapshot=snapshot,
    routes=(
        Route("runbooks:list", "GET", _project),
        Route("runbooks:detail", "GET", _runbook),
        Route("runbooks:export-markdown", "GET", _runbook),
        Route("runbooks:print", "GET", _runbook),
        Route(
            "runbooks:create",
            "POST",
            _project,
            lambda w: {
                "title": "Ledger runbook",
                "component": w.component.pk,
                "owner": w.project.lead_id,
                "review_by": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
                "status": "draft",
                "summary": "",
            },
            may=EDITORS,
        ),
        Route(
            "runbooks:edit",
            "POST",
            _runbook,
            lambda w: {
                "version": version_of(Runbook.objects.get(pk=w.runbook.pk)),
                "title": "Payments runbook v2",
                "component": w.component.pk,
                "owner": w.project.lead_id,
                "review_by": w.runbook.review_by.isoformat(),
                "status": "published",
                "summary": "",
            },
            may=EDITORS,
        ),
        Route("runbooks:delete", "POST", lambda w: [w.project.pk, w.spare.pk], may=EDITORS),
        Route(
            "runbooks:scenario-create",
            "POST",
            _runbook,
            lambda w: _scenario_data(w, "Refunds stall"),
            may=EDITORS,
        ),
        Route(
            "runbooks:scenario-edit",
            "POST",
            _scenario,
            lambda w: {
                **_scenario_data(w, "The API answers 502"),
                "version": version_of(Scenario.objects.get(pk=w.scenario.pk)),
            },
            may=EDITORS,
        ),
        Route("runbooks:scenario-delete", "POST", _scenario, may=EDITORS),
        Route(
            "runbooks:scenario-move",
            "POST",
            _scenario,
            lambda w: {"direction": "down"},
            may=EDITORS,
        ),
        Route(
            "runbooks:walkthrough-record",
            "POST",
            _scenario,
            lambda w: {
                "held_on": timezone.localdate().isoformat(),
                "kind": "tabletop",
                "participants": [w.project.lead_id],
                "outcome": "worked_with_changes",
                "gaps_found": "The restart command was wrong.",
                "follow_ups": "Fix the restart command",
            },
            may=WALKERS,
        ),
    ),
)


@MATRIX.each_route()
def test_an_outsider_gets_404(client_as, outsider, world, route):
    access_matrix.outsider_gets_404(client_as(outsider), world, route, MATRIX)


@MATRIX.each_route()
def test_anonymous_users_are_sent_to_log_in(client, world, route):
    access_matrix.anonymous_is_sent_to_log_in(client, world, route)


@MATRIX.each_write()
def test_a_viewer_cannot_write(client_as, viewer, world, route):
    access_matrix.is_refused(client_as(viewer), world, route, MATRIX)


@MATRIX.each_read_by_a_member()
def test_every_member_can_read(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.member_can_read(client_as(user), world, route, shows=world.runbook.title)


@MATRIX.each_write_by_an_unlisted_role()
def test_a_role_not_listed_cannot_write(request, client_as, world, route, persona):
    """Operations does not edit runbooks; a contributor does not record walkthroughs."""
    user = request.getfixturevalue(persona)
    access_matrix.is_refused(client_as(user), world, route, MATRIX)


@MATRIX.each_write_by_a_listed_role()
def test_a_listed_role_can_write(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.listed_role_can_write(client_as(user), world, route, MATRIX)


@MATRIX.each_route()
def test_staff_read_but_cannot_write(client, world, route):
    client.force_login(factories.UserFactory(is_staff=True))
    access_matrix.staff_read_only(client, world, route, MATRIX)


@pytest.mark.parametrize(
    ("name", "args", "persona"),
    [
        ("runbooks:create", _project, "ops"),
        ("runbooks:create", _project, "viewer"),
        ("runbooks:edit", _runbook, "ops"),
        ("runbooks:scenario-create", _runbook, "ops"),
        ("runbooks:scenario-edit", _scenario, "viewer"),
        ("runbooks:walkthrough-record", _scenario, "contributor"),
        ("runbooks:walkthrough-record", _scenario, "viewer"),
    ],
)
def test_the_forms_are_refused_to_those_who_cannot_save_them(
    request, client_as, world, name, args, persona
):
    user = request.getfixturevalue(persona)
    assert client_as(user).get(reverse(name, args=args(world))).status_code == 403


def test_a_closed_transition_refuses_every_write_even_to_its_lead(client_as, world, lead):
    Project.objects.filter(pk=world.project.pk).update(phase="bau")
    for route in MATRIX.routes:
        if route.writes:
            access_matrix.is_refused(client_as(lead), world, route, MATRIX)


def demo_world(project: Project) -> World:
    """The rows the routes point at in a demo transition (tests/core/test_csp.py walks
    every page of every demo transition); one without a runbook of two scenarios gets
    the world above."""
    for runbook in Runbook.objects.filter(project=project).order_by("pk"):
        scenarios = list(Scenario.objects.filter(runbook=runbook).order_by("position", "pk")[:2])
        if len(scenarios) == 2:
            spare = Runbook.objects.filter(project=project).order_by("pk").last()
            component = scenarios[0].component or runbook.component
            if component is None:
                component = Component.objects.filter(project=project).order_by("pk").first()
            if component is None:
                break
            return World(project, component, runbook, scenarios[0], scenarios[1], spare)
    return build_world(project)
