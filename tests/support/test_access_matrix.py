"""Who may use each route of a transition's support model: the support app's access matrix."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.concurrency import version_of
from apps.projects.models import Project
from apps.support import forms, services
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)
from tests import access_matrix, factories
from tests.access_matrix import Route

pytestmark = pytest.mark.django_db

EDITORS = frozenset({"lead", "contributor"})


@dataclass(frozen=True)
class World:
    project: Project
    component: Component
    tier: Tier
    team: SupportTeam  # owns the component at the first tier, and level 1
    spare: SupportTeam  # owns nothing: removable without a successor
    level: EscalationLevel  # level 1 of the standard path
    second: EscalationLevel  # level 2


def build_world(project: Project, lead, members) -> World:
    """A small support model written through the services, as the lead."""
    component = services.component_save(
        component=Component(project=project, name="Payments API", criticality="critical"),
        by=lead,
    )
    tier = Tier.objects.filter(project=project).order_by("position").first()
    team = services.team_save(
        team=SupportTeam(project=project, name="Service Desk", phone="+44 20 7946 0000"),
        members=members,
        by=lead,
    )
    spare = services.team_save(
        team=SupportTeam(project=project, name="Spare team"), members=[], by=lead
    )
    services.cell_set(
        project=project,
        component=component,
        tier=tier,
        values={
            "team": team,
            "hours": "24x7",
            "p1_minutes": 15,
            "p2_minutes": None,
            "p3_minutes": None,
            "p4_minutes": None,
        },
        by=lead,
        seen_version="",
    )
    level = services.level_save(
        level=EscalationLevel(project=project, position=0, team=team), by=lead
    )
    second = services.level_save(
        level=EscalationLevel(project=project, position=0, person=lead, after_minutes=30),
        by=lead,
    )
    return World(project, component, tier, team, spare, level, second)


@pytest.fixture
def world(project, lead, contributor, ops, viewer, outsider):
    return build_world(project, lead, [ops])


def snapshot():
    return (
        list(Component.objects.order_by("pk").values_list("name", "criticality")),
        list(Tier.objects.order_by("pk").values_list("name", "position")),
        list(SupportTeam.objects.order_by("pk").values_list("name", "in_scope")),
        list(SupportTeam.members.through.objects.order_by("pk").values_list("pk")),
        list(Ownership.objects.order_by("pk").values_list("team", "hours", "p1_minutes")),
        list(EscalationLevel.objects.order_by("pk").values_list("position", "path", "team")),
        list(SupportSettings.objects.order_by("pk").values_list("catch_all")),
    )


def _read(form_class, instance, **kwargs) -> dict:
    """What an edit form carries besides its fields: the version (and the members) it read."""
    initial = form_class(instance=instance, **kwargs).initial
    return {name: initial[name] for name in ("version", "members_seen") if name in initial}


def _project(w: World) -> list:
    return [w.project.pk]


def _csv(w: World) -> dict:
    text = (
        "component,kind,criticality,tier,team,hours,p1_minutes,p2_minutes,p3_minutes,p4_minutes\n"
        f"Card gateway,integration,high,{w.tier.name},{w.team.name},24x7,15,60,,\n"
    )
    return {"file": SimpleUploadedFile("support.csv", text.encode(), content_type="text/csv")}


MATRIX = access_matrix.Matrix(
    snapshot=snapshot,
    routes=(
        Route("support:matrix", "GET", _project),
        Route("support:gaps", "GET", _project),
        Route("support:teams", "GET", _project),
        Route("support:escalation", "GET", _project),
        Route("support:who", "GET", _project),
        Route("support:import-template", "GET", _project),
        Route(
            "support:cell",
            "POST",
            lambda w: [w.project.pk, w.component.pk, w.tier.pk],
            lambda w: {
                "team": w.team.pk,
                "hours": "business",
                "p1_minutes": "30",
                "version": version_of(Ownership.objects.get(component=w.component, tier=w.tier)),
            },
            may=EDITORS,
        ),
        Route(
            "support:component-add",
            "POST",
            _project,
            lambda w: {"name": "Ledger DB", "kind": "database", "criticality": "high"},
            may=EDITORS,
        ),
        Route(
            "support:component-edit",
            "POST",
            lambda w: [w.project.pk, w.component.pk],
            lambda w: {
                **_read(forms.ComponentForm, w.component),
                "name": "Payments API v2",
                "kind": "application",
                "criticality": "critical",
            },
            may=EDITORS,
        ),
        Route(
            "support:component-delete",
            "POST",
            lambda w: [w.project.pk, w.component.pk],
            may=EDITORS,
        ),
        Route(
            "support:tier-add",
            "POST",
            _project,
            lambda w: {"name": "L4 Supplier", "description": ""},
            may=EDITORS,
        ),
        Route(
            "support:tier-edit",
            "POST",
            lambda w: [w.project.pk, w.tier.pk],
            lambda w: {**_read(forms.TierForm, w.tier), "name": "L1 Front desk"},
            may=EDITORS,
        ),
        Route("support:tier-delete", "POST", lambda w: [w.project.pk, w.tier.pk], may=EDITORS),
        Route(
            "support:tier-move",
            "POST",
            lambda w: [w.project.pk, w.tier.pk],
            lambda w: {"direction": "down"},
            may=EDITORS,
        ),
        Route(
            "support:team-add",
            "POST",
            _project,
            lambda w: {"name": "Platform Engineering", "in_scope": "Kubernetes."},
            may=EDITORS,
        ),
        Route(
            "support:team-edit",
            "POST",
            lambda w: [w.project.pk, w.team.pk],
            lambda w: {
                **_read(forms.TeamForm, w.team, project=w.project),
                "name": "Service Desk",
                "phone": "+44 20 7946 0000",
                "in_scope": "Password resets and triage.",
            },
            may=EDITORS,
        ),
        Route(
            "support:team-remove",
            "POST",
            lambda w: [w.project.pk, w.spare.pk],
            lambda w: {"confirm": "1", "successor": ""},
            may=EDITORS,
        ),
        Route(
            "support:catch-all",
            "POST",
            _project,
            lambda w: {"team": w.team.pk},
            may=EDITORS,
        ),
        Route(
            "support:level-add",
            "POST",
            _project,
            lambda w: {"path": "hypercare", "team": w.team.pk, "after_minutes": "15"},
            may=EDITORS,
        ),
        Route(
            "support:level-edit",
            "POST",
            lambda w: [w.project.pk, w.second.pk],
            lambda w: {
                **_read(forms.LevelForm, w.second, project=w.project),
                "path": "standard",
                "person": w.project.lead_id,
                "team": w.spare.pk,
                "after_minutes": "45",
            },
            may=EDITORS,
        ),
        Route(
            "support:level-delete",
            "POST",
            lambda w: [w.project.pk, w.second.pk],
            may=EDITORS,
        ),
        Route(
            "support:level-move",
            "POST",
            lambda w: [w.project.pk, w.level.pk],
            lambda w: {"direction": "down"},
            may=EDITORS,
        ),
        Route("support:import", "POST", _project, _csv, may=EDITORS),
    ),
)


def _shows(world: World, route: Route) -> str:
    # The CSV template names the transition's tiers, not the transition.
    return world.tier.name if route.name == "support:import-template" else world.project.name


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
    access_matrix.member_can_read(client_as(user), world, route, shows=_shows(world, route))


@MATRIX.each_write_by_an_unlisted_role()
def test_operations_cannot_edit_the_support_model(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.is_refused(client_as(user), world, route, MATRIX)


@MATRIX.each_write_by_a_listed_role()
def test_the_delivery_team_can_edit_it(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.listed_role_can_write(client_as(user), world, route, MATRIX)


@MATRIX.each_route()
def test_staff_read_but_cannot_write(client, world, route):
    client.force_login(factories.UserFactory(is_staff=True))
    access_matrix.staff_read_only(client, world, route, MATRIX)


@pytest.mark.parametrize(
    "name",
    ["support:component-add", "support:tier-add", "support:team-add", "support:level-add"],
)
@pytest.mark.parametrize("persona", ["ops", "viewer"])
def test_the_add_forms_are_refused_to_readers(request, client_as, world, name, persona):
    from django.urls import reverse

    user = request.getfixturevalue(persona)
    assert client_as(user).get(reverse(name, args=[world.project.pk])).status_code == 403


def demo_world(project: Project) -> World:
    """The rows the routes point at in a demo transition (tests/core/test_csp.py walks
    every page of every demo transition); one with no support model yet gets one."""
    levels = EscalationLevel.objects.filter(project=project).order_by("path", "position")
    teams = SupportTeam.objects.filter(project=project).order_by("pk")
    component = Component.objects.filter(project=project).order_by("pk").first()
    tier = Tier.objects.filter(project=project).order_by("position").first()
    if not (levels.exists() and teams.exists() and component and tier):
        members = [m.user for m in project.memberships.select_related("user")]
        return build_world(project, project.lead, members)
    return World(
        project=project,
        component=component,
        tier=tier,
        team=teams.first(),
        spare=teams.last(),
        level=levels.first(),
        second=levels.last(),
    )
