"""The transition page, its settings, phase moves, and creating a transition."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.projects.models import (
    Membership,
    Phase,
    Project,
    Role,
)
from tests import factories
from tests.projects.db_state import form_data
from tests.projects.test_access_matrix import snapshot

pytestmark = pytest.mark.django_db


# The task and criterion lists of the transition page (open first, paged, done ones
# behind a link) and its query budgets: tests/projects/test_transition_page.py.


def test_a_refused_phase_change_explains_and_changes_nothing(client_as, lead, project):
    project.phase = Phase.HYPERCARE
    project.save()
    factories.CriterionFactory(project=project)
    response = client_as(lead).post(
        reverse("projects:phase", args=[project.pk]), {"phase": "bau"}, follow=True
    )
    assert "1 of 1 acceptance criteria are not signed off" in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE


def test_a_lead_moves_the_transition_to_readiness(client_as, lead, project):
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "readiness"})
    project.refresh_from_db()
    assert project.phase == Phase.READINESS


def test_an_unknown_phase_is_refused(client_as, lead, project):
    response = client_as(lead).post(
        reverse("projects:phase", args=[project.pk]), {"phase": "done"}, follow=True
    )
    assert "Choose a phase" in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_a_cancelled_transition_can_be_reopened(client_as, lead, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.CANCELLED)
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "planning"})
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_naming_a_new_lead_and_ops_lead_makes_them_members(client_as, lead, project):
    new_lead, new_ops_lead = factories.UserFactory.create_batch(2)
    # Whom a lead may name (forms.people_to_name): a teammate, an operations engineer.
    factories.TeamFactory(kind="delivery").members.add(lead, new_lead)
    factories.TeamFactory(kind="operations").members.add(new_ops_lead)
    client = client_as(lead)
    url = reverse("projects:edit", args=[project.pk])
    response = client.post(
        url,
        form_data(
            client.get(url),
            lead=new_lead.pk,
            ops_lead=new_ops_lead.pk,
            hypercare_days="21",
            go_live_date="2027-03-01",
        ),
    )
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    assert roles == {lead.pk: Role.LEAD, new_lead.pk: Role.LEAD, new_ops_lead.pk: Role.OPS}
    project.refresh_from_db()
    assert (project.hypercare_days, project.go_live_date) == (21, dt.date(2027, 3, 1))


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_a_lead_cannot_edit_a_closed_transition(client_as, lead, project, phase):
    Project.objects.filter(pk=project.pk).update(phase=phase)
    response = client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {"name": "Renamed after closing", "lead": lead.pk, "hypercare_days": 14},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Payments platform"


def test_the_go_live_date_stays_once_hypercare_started(client_as, lead, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    response = client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {"name": project.name, "lead": lead.pk, "hypercare_days": 14, "go_live_date": ""},
    )
    assert "go_live_date" in response.context["form"].errors
    project.refresh_from_db()
    assert project.go_live_date is not None


def test_creating_a_transition_from_the_template(client_as, delivery_lead):
    lead = delivery_lead
    ops_lead = factories.UserFactory()
    factories.TeamFactory(kind="operations").members.add(ops_lead)
    response = client_as(lead).post(
        reverse("projects:create"),
        {
            "name": "CRM migration",
            "lead": lead.pk,
            "ops_lead": ops_lead.pk,
            "go_live_date": "2027-02-01",
            "hypercare_days": "21",
            "blueprint": "standard-bau",
        },
    )
    project = Project.objects.get(name="CRM migration")
    assert response["Location"] == project.get_absolute_url()
    assert project.tasks.count() > 5
    assert project.criteria.count() == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "hypercare_days": "14"}, "name"),
        ({"name": "X", "hypercare_days": "0"}, "hypercare_days"),
        ({"name": "X", "hypercare_days": "14", "go_live_date": "31/02/2027"}, "go_live_date"),
        ({"name": "X", "hypercare_days": "14", "same_ops_lead": True}, "ops_lead"),
    ],
)
def test_a_bad_transition_form_explains_and_creates_nothing(client_as, delivery_lead, data, field):
    lead = delivery_lead
    data = {**data, "lead": lead.pk}
    if data.pop("same_ops_lead", False):
        data["ops_lead"] = lead.pk
    before = snapshot()
    response = client_as(lead).post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot() == before
