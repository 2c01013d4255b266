"""Who may use each route of a transition's monitoring: the monitoring app's access matrix.

Every member reads the page, an alert, a delivery's payload and the integrations
(viewers without the secret addresses); the delivery team (lead and contributor)
keeps the inventory, dashboards and integrations; operations (and the lead) record
manual verifications; anyone but a viewer confirms a dashboard live.
"""

import json
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.concurrency import version_of
from apps.monitoring import services, sources
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Severity,
    Source,
    Verification,
)
from apps.projects.models import Project
from tests import access_matrix, factories
from tests.access_matrix import Route

pytestmark = pytest.mark.django_db

EDITORS = frozenset({"lead", "contributor"})
VERIFIERS = frozenset({"ops", "lead"})
CONFIRMERS = frozenset({"lead", "contributor", "ops"})


@dataclass(frozen=True)
class World:
    project: Project
    integration: Integration
    alert: Alert  # critical, received firing
    spare: Alert  # never verified: deletable
    dashboard: Dashboard
    spare_dashboard: Dashboard  # never confirmed: deletable
    delivery: Delivery


def firing(name: str, fingerprint: str = "f1") -> bytes:
    return json.dumps(
        {
            "name": name,
            "status": "firing",
            "labels": {"service": "payments"},
            "fingerprint": fingerprint,
            "started_at": "2026-11-28T10:00:00Z",
        }
    ).encode()


def build_world(project: Project) -> World:
    """An integration that received one firing notification, two alerts and two
    dashboards, written through the services as the lead."""
    lead = project.lead
    integration = services.integration_save(
        integration=Integration(project=project, name="Generic hook", source=Source.GENERIC),
        by=lead,
    )
    alert = services.alert_save(
        alert=Alert(project=project, name="PaymentsApiDown", severity=Severity.CRITICAL),
        by=lead,
    )
    spare = services.alert_save(
        alert=Alert(project=project, name="QueueSlow", severity=Severity.MEDIUM), by=lead
    )
    for name in ("PaymentsApiDown", "DiskFull"):
        body = firing(name, fingerprint=name)
        services.receive(
            integration=integration,
            parsed=sources.parse("generic", body),
            body=body.decode(),
            now=timezone.now(),
        )
    dashboards = [
        services.dashboard_save(
            dashboard=Dashboard(
                project=project,
                title=title,
                url=f"https://grafana.example.com/d/{slug}",
                owner=lead,
            ),
            by=lead,
        )
        for title, slug in (("Payments overview", "payments"), ("Spare board", "spare"))
    ]
    delivery = Delivery.objects.filter(project=project).latest("pk")
    return World(project, integration, alert, spare, dashboards[0], dashboards[1], delivery)


@pytest.fixture
def world(project, lead, contributor, ops, viewer, outsider):
    return build_world(project)


def snapshot():
    return (
        list(Alert.objects.order_by("pk").values_list("name", "severity", "matchers")),
        list(Dashboard.objects.order_by("pk").values_list("title", "url")),
        list(DashboardCheck.objects.order_by("pk").values_list("pk")),
        list(Integration.objects.order_by("pk").values_list("name", "token", "signing_secret")),
        list(Verification.objects.order_by("pk").values_list("pk")),
        list(AlertEvent.objects.order_by("pk").values_list("pk")),
    )


def _project(w: World) -> list:
    return [w.project.pk]


def _alert(w: World) -> list:
    return [w.project.pk, w.alert.pk]


def _dashboard(w: World) -> list:
    return [w.project.pk, w.dashboard.pk]


def _integration(w: World) -> list:
    return [w.project.pk, w.integration.pk]


def _alert_data(name: str) -> dict:
    return {"name": name, "matchers": "env=prod", "severity": "high", "source": "generic"}


MATRIX = access_matrix.Matrix(
    snapshot=snapshot,
    routes=(
        Route("monitoring:alerts", "GET", _project),
        Route("monitoring:alert", "GET", _alert),
        Route("monitoring:delivery", "GET", lambda w: [w.project.pk, w.delivery.pk]),
        Route("monitoring:integrations", "GET", _project),
        Route(
            "monitoring:alert-add",
            "POST",
            _project,
            lambda w: _alert_data("LedgerLag"),
            may=EDITORS,
        ),
        Route(
            "monitoring:alert-edit",
            "POST",
            _alert,
            lambda w: {
                **_alert_data("PaymentsApiDown"),
                "severity": "critical",
                "version": version_of(Alert.objects.get(pk=w.alert.pk)),
            },
            may=EDITORS,
        ),
        Route("monitoring:alert-delete", "POST", lambda w: [w.project.pk, w.spare.pk], may=EDITORS),
        Route(
            "monitoring:alert-adopt",
            "POST",
            _project,
            lambda w: {"name": "DiskFull"},
            may=EDITORS,
        ),
        Route(
            "monitoring:alert-verify",
            "POST",
            _alert,
            lambda w: {"evidence": "Fired in the test environment and resolved after 2 min."},
            may=VERIFIERS,
        ),
        Route(
            "monitoring:dashboard-add",
            "POST",
            _project,
            lambda w: {
                "title": "Ledger",
                "url": "https://grafana.example.com/d/ledger",
                "owner": w.project.lead_id,
                "shows": "Lag and throughput",
            },
            may=EDITORS,
        ),
        Route(
            "monitoring:dashboard-edit",
            "POST",
            _dashboard,
            lambda w: {
                "title": "Payments overview v2",
                "url": w.dashboard.url,
                "owner": w.project.lead_id,
                "shows": "",
                "version": version_of(Dashboard.objects.get(pk=w.dashboard.pk)),
            },
            may=EDITORS,
        ),
        Route(
            "monitoring:dashboard-delete",
            "POST",
            lambda w: [w.project.pk, w.spare_dashboard.pk],
            may=EDITORS,
        ),
        Route(
            "monitoring:dashboard-confirm",
            "POST",
            _dashboard,
            lambda w: {"note": "Live data, last 15 minutes."},
            may=CONFIRMERS,
        ),
        Route(
            "monitoring:integration-add",
            "POST",
            _project,
            lambda w: {"name": "Prod Alertmanager", "source": "alertmanager", "signing_secret": ""},
            may=EDITORS,
        ),
        Route(
            "monitoring:integration-edit",
            "POST",
            _integration,
            lambda w: {"name": "Renamed hook", "source": "generic", "signing_secret": ""},
            may=EDITORS,
        ),
        Route("monitoring:integration-rotate", "POST", _integration, may=EDITORS),
        Route("monitoring:integration-delete", "POST", _integration, may=EDITORS),
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
    access_matrix.member_can_read(client_as(user), world, route, shows=world.project.name)


@MATRIX.each_write_by_an_unlisted_role()
def test_a_role_not_listed_cannot_write(request, client_as, world, route, persona):
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
        ("monitoring:alert-add", _project, "ops"),
        ("monitoring:alert-edit", _alert, "viewer"),
        ("monitoring:alert-verify", _alert, "contributor"),
        ("monitoring:alert-verify", _alert, "viewer"),
        ("monitoring:dashboard-confirm", _dashboard, "viewer"),
        ("monitoring:integration-add", _project, "ops"),
        ("monitoring:integration-edit", _integration, "viewer"),
    ],
)
def test_the_forms_are_refused_to_those_who_cannot_save_them(
    request, client_as, world, name, args, persona
):
    user = request.getfixturevalue(persona)
    assert client_as(user).get(reverse(name, args=args(world))).status_code == 403


def test_a_viewer_never_sees_a_webhook_address(client_as, viewer, ops, world):
    token = world.integration.token
    page = client_as(viewer).get(reverse("monitoring:integrations", args=_project(world)))
    assert token not in page.content.decode()
    page = client_as(ops).get(reverse("monitoring:integrations", args=_project(world)))
    assert token in page.content.decode()


def test_a_closed_transition_refuses_every_write_even_to_its_lead(client_as, world, lead):
    Project.objects.filter(pk=world.project.pk).update(phase="bau")
    for route in MATRIX.routes:
        if route.writes:
            access_matrix.is_refused(client_as(lead), world, route, MATRIX)


def demo_world(project: Project) -> World:
    """The rows the routes point at in a demo transition (tests/core/test_csp.py walks
    every page of every demo transition); one without them gets the world above."""
    integration = Integration.objects.filter(project=project).order_by("pk").first()
    alerts = list(Alert.objects.filter(project=project).order_by("pk")[:2])
    dashboards = list(Dashboard.objects.filter(project=project).order_by("pk")[:2])
    delivery = Delivery.objects.filter(project=project).order_by("pk").first()
    if integration and len(alerts) == 2 and len(dashboards) == 2 and delivery:
        return World(
            project, integration, alerts[0], alerts[1], dashboards[0], dashboards[1], delivery
        )
    return build_world(project)
