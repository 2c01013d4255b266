"""Tasks: add, edit, delete, and the inline status change."""

import pytest
from django.urls import reverse

from apps.projects.models import (
    Phase,
    Task,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_htmx_status_change_returns_only_the_row(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}"')
    assert "<html" not in html
    assert response["HX-Trigger"] == "counts-changed"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.completed_at is not None


def test_status_change_without_javascript_redirects_back(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "blocked"}
    )
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    task.refresh_from_db()
    assert task.status == Task.Status.BLOCKED


def test_an_unknown_status_is_refused_with_a_message(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "finished"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Choose one of the listed statuses." in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


def test_an_ops_member_may_update_their_own_task_but_not_others(client_as, ops, project):
    own = factories.TaskFactory(project=project, owner=ops)
    other = factories.TaskFactory(project=project)
    url = "projects:task-status"
    client = client_as(ops)
    assert (
        client.post(reverse(url, args=[project.pk, own.pk]), {"status": "done"}).status_code == 302
    )
    assert (
        client.post(reverse(url, args=[project.pk, other.pk]), {"status": "done"}).status_code
        == 403
    )


def test_a_task_needs_an_owner_a_due_date_and_a_title(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {"title": "", "area": "other", "status": "todo", "due_date": "not a date"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "owner", "due_date"}
    assert Task.objects.count() == 0


def test_a_task_owner_must_be_a_member(client_as, contributor, outsider, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {
            "title": "X",
            "area": "other",
            "status": "todo",
            "due_date": "2027-01-01",
            "owner": outsider.pk,
        },
    )
    assert "owner" in response.context["form"].errors
    assert Task.objects.count() == 0


def test_a_contributor_adds_a_task(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {
            "title": "Hand over the on-call rota",
            "area": "support",
            "status": "todo",
            "due_date": "2027-01-01",
            "owner": contributor.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.owner == contributor
    assert task.area == "support"


def test_a_task_from_another_project_is_404(client_as, lead, project):
    other_task = factories.TaskFactory()
    response = client_as(lead).post(
        reverse("projects:task-status", args=[project.pk, other_task.pk]), {"status": "done"}
    )
    assert response.status_code == 404


def test_a_closed_transition_is_read_only(client_as, contributor, project, task):
    project.phase = Phase.CANCELLED
    project.save()
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"}
    )
    assert response.status_code == 403


def test_a_contributor_deletes_a_task_and_the_history_keeps_it(
    client_as, contributor, project, task
):
    client = client_as(contributor)
    response = client.post(reverse("projects:task-delete", args=[project.pk, task.pk]))
    assert response.status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    html = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "deleted the task “Write the runbook”" in html


def test_deleting_needs_a_post(client_as, contributor, project, task):
    response = client_as(contributor).get(
        reverse("projects:task-delete", args=[project.pk, task.pk])
    )
    assert response.status_code == 405
    assert Task.objects.filter(pk=task.pk).exists()
