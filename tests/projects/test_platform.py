"""The shared project layer: access_for, project_view and the write guard."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from apps.projects import guard
from apps.projects.access import access_for, capability, project_view
from apps.projects.models import Phase, Project, Role, Task
from tests import factories

pytestmark = pytest.mark.django_db


def test_access_needs_no_request_and_hides_a_transition_from_outsiders(project, outsider, ops):
    assert access_for(ops, project.pk).role == Role.OPS
    with pytest.raises(Http404):
        access_for(outsider, project.pk)
    with pytest.raises(Http404):
        access_for(ops, project.pk + 1000)


def test_staff_who_are_not_members_read_but_cannot_write(project):
    staff = factories.UserFactory(is_staff=True)
    access = access_for(staff, project.pk)
    assert access.role is None
    assert not access.can_write
    assert not access.can_edit
    assert not access.can_manage
    assert not access.can_sign_off


def test_a_viewer_can_update_no_task_and_ops_only_their_own(project, viewer, ops):
    assert not access_for(viewer, project.pk).can_update_task(viewer.pk)
    assert access_for(ops, project.pk).can_update_task(ops.pk)
    assert not access_for(ops, project.pk).can_update_task(project.lead_id)


def test_the_write_guard_refuses_a_closed_transition_and_changes_nothing(project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.CANCELLED)
    refused = pytest.raises(guard.ActionRefused, match="Cancelled: it can no longer change")
    with refused, guard.project_write(project.pk, by=project.lead):
        pytest.fail("the block must not run")
    with guard.project_write(project.pk, by=project.lead, allow_closed=True) as locked:
        assert locked.phase == Phase.CANCELLED


def test_a_refusal_inside_the_guard_rolls_every_write_back(project):
    def write_then_refuse():
        with guard.project_write(project.pk, by=project.lead):
            factories.TaskFactory(project=project, title="Half-done write")
            raise guard.ActionRefused("A rule says no.")

    with pytest.raises(guard.ActionRefused):
        write_then_refuse()
    assert not Task.objects.filter(title="Half-done write").exists()


def test_the_guard_refuses_a_transition_that_no_longer_exists(project):
    refused = pytest.raises(guard.ActionRefused, match="no longer exists")
    with refused, guard.project_write(project.pk + 1000, by=project.lead):
        pass


def test_the_guard_keeps_the_summary_exact(project):
    factories.TaskFactory(project=project)
    with guard.project_write(project.pk, by=project.lead):
        Task.objects.filter(project=project).update(status=Task.Status.BLOCKED)
    project.summary.refresh_from_db()
    assert project.summary.tasks_blocked == 1


@project_view(capability("can_edit"))
def refusing_view(request, access):
    raise guard.ActionRefused(["First reason.", "Second reason."])


def _request(user, *, htmx=False, referer=""):
    headers = {"HX-Request": "true"} if htmx else {}
    if referer:
        headers["Referer"] = referer
    request = RequestFactory().post("/", headers=headers)
    request.user = user
    request.session = {}
    request._messages = _Messages()
    from django_htmx.middleware import HtmxDetails

    request.htmx = HtmxDetails(request)
    return request


class _Messages(list):
    def add(self, level, message, extra_tags=""):
        self.append(str(message))


def test_a_refusal_becomes_messages_and_a_redirect_back_into_the_transition(project, contributor):
    referer = "http://testserver" + reverse("projects:task-create", args=[project.pk])
    request = _request(contributor, referer=referer)
    response = refusing_view(request, project_id=project.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:task-create", args=[project.pk])
    assert list(request._messages) == ["First reason.", "Second reason."]


def test_a_refusal_never_redirects_outside_the_transition(project, contributor):
    request = _request(contributor, referer="https://evil.example/p/")
    response = refusing_view(request, project_id=project.pk)
    assert response["Location"] == project.get_absolute_url()


@pytest.mark.parametrize(
    ("referer", "back_to"),
    [
        ("http://testserver/me/items/?tasks_page=2", "/me/items/"),  # acts on a transition
        ("http://testserver/", None),  # the dashboard does not: back to the transition
        ("https://evil.example/me/items/", None),
    ],
)
def test_a_refusal_goes_back_to_my_items_when_it_came_from_there(
    project, contributor, referer, back_to
):
    request = _request(contributor, referer=referer)
    response = refusing_view(request, project_id=project.pk)
    assert response["Location"] == (back_to or project.get_absolute_url())


def test_an_htmx_refusal_is_shown_in_the_message_area(project, contributor):
    response = refusing_view(_request(contributor, htmx=True), project_id=project.pk)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#messages"
    assert "Second reason." in response.content.decode()


def test_a_missing_capability_is_403_before_the_view_runs(project, viewer):
    with pytest.raises(PermissionDenied):
        refusing_view(_request(viewer), project_id=project.pk)


def test_a_view_of_the_projects_app_never_catches_refusals_by_hand():
    from pathlib import Path

    views = Path(__file__).resolve().parents[2] / "apps" / "projects" / "views"
    for module in views.glob("*.py"):
        assert "except ActionRefused" not in module.read_text(), module.name
        assert "except services.ActionRefused" not in module.read_text(), module.name


def test_an_htmx_refusal_of_a_task_status_shows_inside_the_row(
    client_as, contributor, project, monkeypatch
):
    from apps.projects import services

    task = factories.TaskFactory(project=project, title="Rotate the keys")

    def lose_the_race(**kwargs):
        # What the lock says when a phase change committed between the page and the post.
        raise guard.ActionRefused("This transition is Cancelled: it can no longer change.")

    monkeypatch.setattr(services, "task_set_status", lose_the_race)
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "done"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}"')
    assert "it can no longer change" in html
    task.refresh_from_db()
    assert task.status == Task.Status.TODO
