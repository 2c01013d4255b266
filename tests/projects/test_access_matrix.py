"""Who may use each route of a transition: the projects app's access matrix."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.projects import forms
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Project,
    Role,
    SignOff,
    Task,
)
from tests import access_matrix, factories
from tests.access_matrix import Route

pytestmark = pytest.mark.django_db

LEAD = frozenset({"lead"})
EDITORS = frozenset({"lead", "contributor"})
SIGNERS = frozenset({"lead", "ops"})


@dataclass(frozen=True)
class World:
    """The rows the routes point at; every persona is a member (the outsider is not)."""

    project: Project
    task: Task  # owned by the lead
    criterion: AcceptanceCriterion  # signed off by ops
    signoff: SignOff
    unsigned: AcceptanceCriterion
    withdrawn: AcceptanceCriterion
    member: Membership  # a contributor who is none of the personas


@pytest.fixture
def world(project, lead, contributor, ops, viewer, outsider, task, criterion, signoff):
    return World(
        project=project,
        task=task,
        criterion=criterion,
        signoff=signoff,
        unsigned=factories.CriterionFactory(project=project, statement="Alerts reach ops."),
        withdrawn=factories.CriterionFactory(
            project=project,
            statement="The fax line is monitored.",
            withdrawn_at=timezone.now(),
            withdrawn_by=lead,
            withdraw_reason="The fax line was decommissioned.",
        ),
        member=factories.MembershipFactory(project=project, role=Role.CONTRIBUTOR),
    )


def snapshot():
    """Everything a refused request must leave as it was."""
    return (
        list(Project.objects.values_list("name", "phase")),
        list(Membership.objects.order_by("pk").values_list("user_id", "role")),
        list(Task.objects.order_by("pk").values_list("title", "status")),
        list(AcceptanceCriterion.objects.order_by("pk").values_list("statement", "withdrawn_at")),
        list(SignOff.objects.order_by("pk").values_list("revoked_at", "voided_at")),
    )


def _as_read(form_class, instance, **kwargs) -> dict:
    """What an edit form of `instance` carries besides its fields (the version it read)."""
    initial = form_class(instance=instance, **kwargs).initial
    return {"version": initial["version"]} if "version" in initial else {}


def _task_data(w: World, title: str, task: Task | None = None) -> dict:
    read = _as_read(forms.TaskForm, task, project=w.project) if task else {}
    return {
        **read,
        "title": title,
        "area": "other",
        "owner": w.project.lead_id,
        "due_date": "2027-01-01",
        "status": "todo",
    }


def _project(w: World) -> list:
    return [w.project.pk]


MATRIX = access_matrix.Matrix(
    snapshot=snapshot,
    routes=(
        Route("projects:detail", "GET", _project),
        Route("projects:members", "GET", _project),
        Route("projects:activity", "GET", _project),
        Route(
            "projects:edit",
            "POST",
            _project,
            lambda w: {
                **_as_read(forms.ProjectForm, w.project, user=w.project.lead),
                "name": "Renamed",
                "lead": w.project.lead_id,
                "hypercare_days": 14,
                "go_live_date": w.project.go_live_date.isoformat(),
            },
            may=LEAD,
        ),
        Route("projects:phase", "POST", _project, lambda w: {"phase": "readiness"}, may=LEAD),
        Route("projects:cancel", "POST", _project, lambda w: {"confirm": "yes"}, may=LEAD),
        Route(
            "projects:members",
            "POST",
            _project,
            lambda w: {"email": "outsider@example.com", "role": "viewer"},
            may=LEAD,
            label="member-add",
        ),
        Route(
            "projects:member-update",
            "POST",
            lambda w: [w.project.pk, w.member.pk],
            lambda w: {"role": "viewer"},
            may=LEAD,
        ),
        Route(
            "projects:member-remove",
            "POST",
            lambda w: [w.project.pk, w.member.pk],
            lambda w: {"confirm": "yes"},
            may=LEAD,
        ),
        Route(
            "projects:task-create", "POST", _project, lambda w: _task_data(w, "New"), may=EDITORS
        ),
        Route(
            "projects:task-edit",
            "POST",
            lambda w: [w.project.pk, w.task.pk],
            lambda w: _task_data(w, "Changed", w.task),
            may=EDITORS,
        ),
        Route(
            "projects:task-status",
            "POST",
            lambda w: [w.project.pk, w.task.pk],
            lambda w: {"status": "done"},
            # Ops may update only their own tasks (test_tasks); this one is the lead's.
            may=EDITORS,
        ),
        Route("projects:task-delete", "POST", lambda w: [w.project.pk, w.task.pk], may=EDITORS),
        Route(
            "projects:criterion-create",
            "POST",
            _project,
            lambda w: {"statement": "New", "due_date": "2027-01-01"},
            may=EDITORS,
        ),
        Route(
            "projects:criterion-edit",
            "POST",
            lambda w: [w.project.pk, w.criterion.pk],
            lambda w: {
                **_as_read(forms.CriterionForm, w.criterion, project=w.project),
                "statement": "Changed",
                "due_date": "2027-01-01",
            },
            may=EDITORS,
        ),
        Route(
            "projects:criterion-delete",
            "POST",
            lambda w: [w.project.pk, w.unsigned.pk],
            may=EDITORS,
        ),
        Route(
            "projects:criterion-withdraw",
            "POST",
            lambda w: [w.project.pk, w.unsigned.pk],
            lambda w: {"reason": "No longer part of the hand-over."},
            may=EDITORS,
        ),
        Route(
            "projects:criterion-restore",
            "POST",
            lambda w: [w.project.pk, w.withdrawn.pk],
            may=EDITORS,
        ),
        Route(
            "projects:criterion-sign-off",
            "POST",
            lambda w: [w.project.pk, w.unsigned.pk],
            lambda w: {
                "comment": "ok",
                "as_ops": "on",
                "statement_digest": w.unsigned.statement_digest,
            },
            may=SIGNERS,
        ),
        Route(
            "projects:signoff-revoke",
            "POST",
            lambda w: [w.project.pk, w.criterion.pk, w.signoff.pk],
            lambda w: {"reason": "Not true any more."},
            may=SIGNERS,
        ),
    ),
)


@MATRIX.each_route()
def test_an_outsider_gets_404_for_every_url_of_a_project(client_as, outsider, world, route):
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
    # Contributors cannot sign off or revoke, nor manage the transition; ops cannot
    # edit the plan.
    user = request.getfixturevalue(persona)
    access_matrix.is_refused(client_as(user), world, route, MATRIX)


@MATRIX.each_write_by_a_listed_role()
def test_every_listed_role_can_write(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.listed_role_can_write(client_as(user), world, route, MATRIX)


@MATRIX.each_route()
def test_staff_see_every_project_but_cannot_write(client, world, route):
    client.force_login(factories.UserFactory(is_staff=True))
    access_matrix.staff_read_only(client, world, route, MATRIX)


def test_forms_need_a_csrf_token(lead, project, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.TODO
