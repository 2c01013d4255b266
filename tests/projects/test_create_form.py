"""The new-transition form reads well: the template first, no "---------", one name for
go-live, a warning when nobody could sign off, and template tasks assigned by role."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.projects import blueprints
from apps.projects.models import Project
from tests import factories
from tests.projects.db_state import form_data

pytestmark = pytest.mark.django_db


def test_the_form_starts_with_the_template_and_reads_consistently(client_as, delivery_lead):
    response = client_as(delivery_lead).get(reverse("projects:create"))
    form = response.context["form"]
    assert next(iter(form.fields)) == "blueprint"
    html = response.content.decode()
    assert "---------" not in html
    assert "Go-live date" in html
    assert "Go live date" not in html
    assert "nobody can until you add one" in html


def _create(client, lead, **extra):
    data = {
        "name": "CRM migration",
        "lead": lead.pk,
        "go_live_date": "2027-02-01",
        "hypercare_days": "21",
        "blueprint": "standard-bau",
        **extra,
    }
    return client.post(reverse("projects:create"), data)


def test_template_tasks_go_to_the_lead_or_the_operations_lead(client_as, delivery_lead):
    ops_lead = factories.UserFactory()
    factories.TeamFactory(kind="operations").members.add(ops_lead)
    client = client_as(delivery_lead)
    response = _create(client, delivery_lead, ops_lead=ops_lead.pk)
    project = Project.objects.get(name="CRM migration")
    owners = dict(project.tasks.values_list("title", "owner_id"))
    for seed in blueprints.STANDARD_BAU.tasks:
        expected = ops_lead if seed.owner == blueprints.OPS_LEAD else delivery_lead
        assert owners[seed.title] == expected.pk, seed.title
    assert owners["Ops walkthrough of the runbook"] == ops_lead.pk
    # An operations lead was named: no warning.
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_without_an_operations_lead_the_lead_owns_every_task_and_is_warned(
    client_as, delivery_lead
):
    client = client_as(delivery_lead)
    response = _create(client, delivery_lead)
    project = Project.objects.get(name="CRM migration")
    assert set(project.tasks.values_list("owner_id", flat=True)) == {delivery_lead.pk}
    page = client.get(response["Location"])
    assert "Nobody in this transition can sign off its acceptance criteria yet" in (
        page.content.decode()
    )


def test_no_form_of_a_transition_shows_django_s_empty_choice(client_as, lead, project):
    client = client_as(lead)
    for name in ("edit", "task-create", "criterion-create"):
        html = client.get(reverse(f"projects:{name}", args=[project.pk])).content.decode()
        assert "---------" not in html, name


@pytest.mark.parametrize(
    ("value", "saved"), [("3", 3), ("", None), ("0", "refused"), ("91", "refused")]
)
def test_a_lead_sets_the_transition_s_escalation_threshold(client_as, lead, project, value, saved):
    client = client_as(lead)
    url = reverse("projects:edit", args=[project.pk])
    data = form_data(client.get(url), escalate_after_days=value)
    response = client.post(url, data)
    project.refresh_from_db()
    if saved == "refused":
        assert response.status_code == 200
        assert "escalate_after_days" in response.context["form"].errors
        assert project.escalate_after_days is None
    else:
        assert response.status_code == 302
        assert project.escalate_after_days == saved
