"""Two people at once: stale edit forms are refused, and writes racing a phase change
answer with the reason (never a 500) and leave a consistent state."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.projects import services
from apps.projects.models import AcceptanceCriterion, Phase, Project, Role, SignOff, Task
from tests import factories
from tests.projects.db_state import form_data, snapshot


def _named(user: User, full_name: str) -> User:
    User.objects.filter(pk=user.pk).update(full_name=full_name)
    user.refresh_from_db()
    return user


# Stale edit forms ---------------------------------------------------------------------


def _edit_url(kind: str, project: Project, row: Any) -> str:
    if kind == "transition":
        return reverse("projects:edit", args=[project.pk])
    return reverse(f"projects:{kind}-edit", args=[project.pk, row.pk])


EDITS = {
    # kind: (the field both people change, its label, the first value, the second value)
    "transition": ("name", "Name", "Payments, first rename", "Payments, second rename"),
    "task": ("title", "Title", "Write the runbook today", "Write the runbook tomorrow"),
    "criterion": ("statement", "Statement", "Ops accepts the runbook.", "Ops rehearsed it."),
}


def _row(kind: str, project: Project) -> Any:
    if kind == "transition":
        return project
    if kind == "task":
        return factories.TaskFactory(project=project, title="Write the runbook")
    return factories.CriterionFactory(project=project, statement="Runbook accepted by ops.")


def _stored(kind: str, row: Any, field: str) -> Any:
    return type(row).objects.values_list(field, flat=True).get(pk=row.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EDITS))
def test_the_second_of_two_stale_saves_is_refused_with_who_when_and_what_changed(
    client_as, lead, project, kind
):
    field, label, first_value, second_value = EDITS[kind]
    row = _row(kind, project)
    first_editor = _named(lead, "Ada First")
    second_editor = _named(
        factories.MembershipFactory(project=project, role=Role.LEAD).user, "Bo Second"
    )
    url = _edit_url(kind, project, row)
    first, second = client_as(first_editor), client_as(second_editor)
    first_form, second_form = first.get(url), second.get(url)

    assert first.post(url, form_data(first_form, **{field: first_value})).status_code == 302
    after_first = snapshot()
    refused = second.post(url, form_data(second_form, **{field: second_value}))

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "changed by Ada First at" in html
    assert "review and save again" in html
    assert f"{label}: theirs “{first_value}”, yours “{second_value}”" in html
    # The second editor's input is kept in the form, to review.
    assert refused.context["form"][field].value() == second_value
    assert _stored(kind, row, field) == first_value
    assert snapshot() == after_first


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EDITS))
def test_after_reviewing_a_conflict_saving_again_is_accepted(client_as, lead, project, kind):
    field, _label, first_value, second_value = EDITS[kind]
    row = _row(kind, project)
    other = factories.MembershipFactory(project=project, role=Role.LEAD).user
    url = _edit_url(kind, project, row)
    first, second = client_as(lead), client_as(other)
    first_form, second_form = first.get(url), second.get(url)
    first.post(url, form_data(first_form, **{field: first_value}))
    refused = second.post(url, form_data(second_form, **{field: second_value}))
    assert refused.status_code == 409

    # The refused form carries the version it showed: saving it now is a deliberate choice.
    again = second.post(url, form_data(refused))
    assert again.status_code == 302
    assert _stored(kind, row, field) == second_value


@pytest.mark.django_db
def test_an_inline_status_change_makes_an_open_task_form_stale(client_as, lead, project):
    task = factories.TaskFactory(project=project, title="Write the runbook")
    url = reverse("projects:task-edit", args=[project.pk, task.pk])
    client = client_as(lead)
    form_page = client.get(url)
    client.post(reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"})
    before = snapshot()
    refused = client.post(url, form_data(form_page, title="Write the runbook, again"))
    assert refused.status_code == 409
    assert "Status: theirs “Done”, yours “To do”" in refused.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_a_stale_htmx_save_is_refused_inside_the_swapped_region(client_as, lead, project):
    task = factories.TaskFactory(project=project, title="Write the runbook")
    url = reverse("projects:task-edit", args=[project.pk, task.pk])
    client = client_as(lead)
    form_page = client.get(url)
    client.post(url, form_data(form_page, title="First"))
    before = snapshot()
    refused = client.post(url, form_data(form_page, title="Second"), HTTP_HX_REQUEST="true")
    # htmx swaps only 2xx answers: the conflict is shown with the form, status 200.
    assert refused.status_code == 200
    assert "review and save again" in refused.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_an_edit_form_without_the_version_it_read_is_refused(client_as, lead, project):
    task = factories.TaskFactory(project=project, title="Write the runbook")
    url = reverse("projects:task-edit", args=[project.pk, task.pk])
    data = form_data(client_as(lead).get(url), title="Changed")
    data.pop("version")
    before = snapshot()
    response = client_as(lead).post(url, data)
    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert snapshot() == before


@pytest.mark.django_db
def test_a_phase_change_while_the_transition_form_is_open_does_not_refuse_the_edit(
    client_as, lead, project
):
    # The phase is not on the form: moving it is not an edit the form would overwrite.
    url = reverse("projects:edit", args=[project.pk])
    client = client_as(lead)
    form_page = client.get(url)
    services.project_change_phase(project=project, to=Phase.READINESS, by=lead)
    response = client.post(url, form_data(form_page, name="Renamed while open"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.phase) == ("Renamed while open", Phase.READINESS)


# Writes racing a phase change, through HTTP ----------------------------------------------


def _race(*calls: tuple[Client, str, dict[str, Any]]) -> list[Any]:
    """POST each call from its own thread, all released at once; responses or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, client: Client, url: str, data: dict[str, Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = client.post(url, data)
        except Exception as error:  # reported by the test, not swallowed
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _racing_write(kind: str, project: Project, lead: User) -> tuple[str, dict[str, Any]]:
    p = project.pk
    if kind == "task-create":
        url = reverse("projects:task-create", args=[p])
        data = {
            "title": "Raced",
            "area": "other",
            "owner": lead.pk,
            "due_date": "2027-01-01",
            "status": "todo",
        }
    elif kind == "task-edit":
        task = factories.TaskFactory(project=project, title="Before")
        url = reverse("projects:task-edit", args=[p, task.pk])
        data = form_data(Client_as(lead).get(url), title="Raced")
    elif kind == "criterion-create":
        url = reverse("projects:criterion-create", args=[p])
        data = {"statement": "Raced", "due_date": "2027-01-01"}
    else:
        criterion = factories.CriterionFactory(project=project, statement="Before")
        url = reverse("projects:criterion-edit", args=[p, criterion.pk])
        data = form_data(Client_as(lead).get(url), statement="Raced")
    return url, data


def Client_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _written(kind: str) -> bool:
    if kind.startswith("task"):
        return Task.objects.filter(title="Raced").exists()
    return AcceptanceCriterion.objects.filter(statement="Raced").exists()


TRIALS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["task-create", "task-edit", "criterion-create", "criterion-edit"])
def test_a_write_racing_a_cancellation_answers_with_the_reason_or_succeeds_before_it(kind):
    outcomes = set()
    for trial in range(TRIALS):
        project = factories.ProjectFactory(name=f"Race {trial}")
        lead = project.lead
        url, data = _racing_write(kind, project, lead)
        cancel = (reverse("projects:cancel", args=[project.pk]), {"confirm": "yes"})
        phase_response, write_response = _race(
            (Client_as(lead), *cancel), (Client_as(lead), url, data)
        )

        for response in (phase_response, write_response):
            assert not isinstance(response, Exception), repr(response)
            assert response.status_code != 500
        project.refresh_from_db()
        assert project.phase == Phase.CANCELLED
        written = _written(kind)
        if written:
            # The write committed before the cancellation took the lock.
            assert write_response.status_code == 302
            outcomes.add("written first")
        elif write_response.status_code == 403:
            # The cancellation committed before the write's access check.
            outcomes.add("refused by the access check")
        else:
            # The write lost the race for the lock: refused with the reason.
            assert write_response.status_code == 302
            said = [str(m) for m in get_messages(write_response.wsgi_request)]
            assert "This transition is Cancelled: it can no longer change." in said
            outcomes.add("refused under the lock")
        Task.objects.filter(title="Raced").delete()
        AcceptanceCriterion.objects.filter(statement="Raced").delete()
    assert outcomes  # at least one trial ran to an outcome


@pytest.mark.django_db(transaction=True)
def test_two_stale_saves_racing_each_other_keep_exactly_one():
    project = factories.ProjectFactory(name="Race")
    lead = project.lead
    other = factories.MembershipFactory(project=project, role=Role.LEAD).user
    task = factories.TaskFactory(project=project, title="Before")
    url = reverse("projects:task-edit", args=[project.pk, task.pk])
    first, second = Client_as(lead), Client_as(other)
    first_data = form_data(first.get(url), title="First")
    second_data = form_data(second.get(url), title="Second")
    responses = _race((first, url, first_data), (second, url, second_data))
    statuses = sorted(r.status_code for r in responses if not isinstance(r, Exception))
    assert statuses == [302, 409], responses
    winner = "First" if responses[0].status_code == 302 else "Second"
    assert Task.objects.get(pk=task.pk).title == winner


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_racing_an_edit_of_the_statement_never_keeps_a_stale_sign_off():
    project = factories.ProjectFactory(name="Race")
    lead = project.lead
    ops = factories.MembershipFactory(project=project, role=Role.OPS).user
    criterion = factories.CriterionFactory(project=project, statement="Before")
    edit_url = reverse("projects:criterion-edit", args=[project.pk, criterion.pk])
    sign_url = reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk])
    edit = form_data(Client_as(lead).get(edit_url), statement="After")
    sign = {"comment": "", "statement_digest": criterion.statement_digest}
    responses = _race((Client_as(lead), edit_url, edit), (Client_as(ops), sign_url, sign))
    assert all(not isinstance(r, Exception) and r.status_code != 500 for r in responses)
    # Whichever came first, no active sign-off is of a statement other than the current one.
    for signoff in SignOff.objects.active():
        assert signoff.statement_snapshot == AcceptanceCriterion.objects.get().statement
