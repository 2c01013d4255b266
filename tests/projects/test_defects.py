"""Defects found by probing the foundation from outside (issue 5), each through HTTP."""

import pytest
from django.urls import reverse

from apps.projects import services
from apps.projects.forms import DashboardFilterForm
from apps.projects.models import Membership, Phase, Project, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", sorted(DashboardFilterForm.SORTS))
def test_every_dashboard_column_sorts_both_ways(client_as, lead, project, sort):
    response = client_as(lead).get(reverse("projects:dashboard"), {"sort": sort})
    assert response.status_code == 200
    assert project.name in response.content.decode()


def test_every_sort_has_its_reverse():
    for key in DashboardFilterForm.SORTS:
        assert key.removeprefix("-") in DashboardFilterForm.SORTS
        assert f"-{key.removeprefix('-')}" in DashboardFilterForm.SORTS


def test_sorting_by_overdue_a_second_time_reverses_it(client_as, lead):
    calm = factories.ProjectFactory(lead=lead, name="Calm")
    late = factories.ProjectFactory(lead=lead, name="Late")
    factories.TaskFactory(project=late, due_date=late.go_live_date.replace(year=2020))
    client = client_as(lead)
    first = client.get(reverse("projects:dashboard"), {"sort": "overdue"})
    second = client.get(reverse("projects:dashboard"), {"sort": "-overdue"})

    def order(response):
        names = {calm.name, late.name}
        return [p["name"] for p in response.context["page"] if p["name"] in names]

    assert order(first) == ["Late", "Calm"]
    assert order(second) == ["Calm", "Late"]


def test_a_lead_sees_how_to_reopen_a_cancelled_transition(client_as, lead, project):
    services.project_change_phase(project=project, to=Phase.CANCELLED, by=lead)
    page = client_as(lead).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Move to Planning" in page
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "planning"})
    assert Project.objects.get(pk=project.pk).phase == Phase.PLANNING


def test_adding_an_existing_member_is_refused_instead_of_changing_their_role(
    client_as, lead, project, ops
):
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]),
        {"email": ops.email, "role": Role.VIEWER},
    )
    assert response.status_code == 200
    assert "already a member (Operations)" in response.content.decode()
    assert Membership.objects.get(project=project, user=ops).role == Role.OPS


def test_saving_the_edit_form_after_a_phase_change_does_not_move_the_phase_back(
    client_as, lead, project
):
    client = client_as(lead)
    form_page = client.get(reverse("projects:edit", args=[project.pk]))
    assert form_page.status_code == 200
    # Someone moves the phase while the form is open.
    services.project_change_phase(project=project, to=Phase.READINESS, by=lead)
    data = {
        name: value
        for name, value in form_page.context["form"].initial.items()
        if value is not None
    }
    data["name"] = "Renamed while open"
    data["go_live_date"] = project.go_live_date.isoformat()
    client.post(reverse("projects:edit", args=[project.pk]), data)
    assert Project.objects.get(pk=project.pk).phase == Phase.READINESS
