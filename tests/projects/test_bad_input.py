"""Bad input answers with the reason and changes nothing: never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.projects.models import Membership, Role
from tests import factories
from tests.projects.db_state import form_data, snapshot

pytestmark = pytest.mark.django_db

DATE_RANGE_MESSAGE = "Choose a date between 1 January 2000 and 31 December 2100."


@pytest.mark.parametrize("go_live", ["0001-01-01", "9999-12-31"])
def test_a_template_transition_going_live_in_year_1_or_9999_explains_and_creates_nothing(
    client_as, delivery_lead, go_live
):
    lead = delivery_lead
    before = snapshot()
    response = client_as(lead).post(
        reverse("projects:create"),
        {
            "name": "CRM migration",
            "lead": lead.pk,
            "go_live_date": go_live,
            "hypercare_days": "21",
            "blueprint": "standard-bau",
        },
    )
    assert response.status_code == 200
    assert DATE_RANGE_MESSAGE in response.context["form"].errors["go_live_date"]
    assert snapshot() == before


def test_a_template_whose_dates_would_leave_the_range_explains_and_creates_nothing(
    client_as, delivery_lead
):
    lead = delivery_lead
    # The template's first task is due six weeks before go-live: in 1999.
    before = snapshot()
    response = client_as(lead).post(
        reverse("projects:create"),
        {
            "name": "Millennium",
            "lead": lead.pk,
            "go_live_date": "2000-01-15",
            "hypercare_days": "21",
            "blueprint": "standard-bau",
        },
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["go_live_date"]
    assert "4 December 1999" in error
    assert "1 January 2000" in error
    assert snapshot() == before


def _date_forms(project, task, criterion):
    """(url, the date field, the GET of the form or None for a create) per dated form."""
    p = project.pk
    return {
        "transition-create": (reverse("projects:create"), "go_live_date"),
        "transition-edit": (reverse("projects:edit", args=[p]), "go_live_date"),
        "task-create": (reverse("projects:task-create", args=[p]), "due_date"),
        "task-edit": (reverse("projects:task-edit", args=[p, task.pk]), "due_date"),
        "criterion-create": (reverse("projects:criterion-create", args=[p]), "due_date"),
        "criterion-edit": (reverse("projects:criterion-edit", args=[p, criterion.pk]), "due_date"),
    }


VALID_NEW = {
    "transition-create": {"name": "New", "hypercare_days": "14"},
    "task-create": {"title": "New", "area": "other", "status": "todo"},
    "criterion-create": {"statement": "New"},
}


@pytest.mark.parametrize("date", ["1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "form",
    [
        "transition-create",
        "transition-edit",
        "task-create",
        "task-edit",
        "criterion-create",
        "criterion-edit",
    ],
)
def test_every_date_outside_2000_to_2100_is_refused_with_a_clear_message(
    client_as, delivery_lead, project, task, criterion, form, date
):
    lead = delivery_lead
    url, field = _date_forms(project, task, criterion)[form]
    client = client_as(lead)
    data = form_data(client.get(url), **VALID_NEW.get(form, {}))
    data.setdefault("owner", lead.pk)
    data.setdefault("lead", lead.pk)
    data[field] = date
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [DATE_RANGE_MESSAGE]
    assert snapshot() == before


@pytest.mark.parametrize("date", ["2000-01-01", "2100-12-31"])
def test_the_first_and_last_day_of_the_range_are_accepted(client_as, lead, project, date):
    response = client_as(lead).post(
        reverse("projects:task-create", args=[project.pk]),
        {"title": "Edge", "area": "other", "status": "todo", "owner": lead.pk, "due_date": date},
    )
    assert response.status_code == 302
    assert project.tasks.get(title="Edge").due_date.isoformat() == date


# Null characters ------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser("root@example.com", "pw"))
    return client


@pytest.mark.parametrize(
    "query",
    ["status=%00", "area=x%00y", "q=%00", "o=%00", "%00=1", "p=1&status=todo%00"],
)
def test_a_null_character_in_an_admin_filter_answers_400(admin_client_, task, query):
    response = admin_client_.get(f"{reverse('admin:projects_task_changelist')}?{query}")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_a_null_character_in_a_dashboard_filter_answers_400(client_as, lead, project):
    response = client_as(lead).get(f"{reverse('projects:dashboard')}?sort=name%00")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_a_null_character_in_posted_form_data_answers_400_and_changes_nothing(
    client_as, lead, project
):
    before = snapshot()
    response = client_as(lead).post(
        reverse("projects:task-create", args=[project.pk]),
        {
            "title": "Null\x00",
            "area": "other",
            "status": "todo",
            "owner": lead.pk,
            "due_date": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_a_null_character_in_an_admin_form_answers_400_and_changes_nothing(admin_client_, task):
    before = snapshot()
    response = admin_client_.post(
        reverse("admin:projects_task_changelist"),
        {"action": "delete_selected", "_selected_action": ["\x00"]},
    )
    assert response.status_code == 400
    assert snapshot() == before


# Members ---------------------------------------------------------------------------------


def test_adding_the_named_lead_as_a_viewer_explains_and_changes_nothing(client_as, lead, project):
    before = snapshot()
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]),
        {"email": lead.email, "role": Role.VIEWER},
    )
    assert response.status_code == 200
    assert "already a member (Lead)" in response.content.decode()
    assert Membership.objects.get(project=project, user=lead).role == Role.LEAD
    assert snapshot() == before


def test_adding_a_member_who_joined_meanwhile_is_refused_under_the_lock(lead, project):
    # The form's check runs before the lock; the service checks again under it.
    from apps.projects import services
    from apps.projects.guard import ActionRefused

    joined = factories.MembershipFactory(project=project, role=Role.OPS).user
    before = snapshot()
    with pytest.raises(ActionRefused, match="already a member"):
        services.membership_add(project=project, user=joined, role=Role.VIEWER, by=lead)
    assert snapshot() == before
