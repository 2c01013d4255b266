"""My items: the tasks I own and the acceptance criteria I may sign, with the status
change and the sign-off done in place (htmx) or through a plain form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.projects.models import Membership, Role, SignOff, Task
from tests import factories
from tests.projects.db_state import snapshot

MY_ITEMS = reverse("projects:my-items")
FROM_MY_ITEMS = {"from": "my-items"}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def status_url(task) -> str:
    return reverse("projects:task-status", args=[task.project_id, task.pk])


def sign_off_url(criterion) -> str:
    return reverse("projects:criterion-sign-off", args=[criterion.project_id, criterion.pk])


def sign_off_data(criterion, **extra) -> dict:
    return {"comment": "", "statement_digest": criterion.statement_digest, **FROM_MY_ITEMS, **extra}


# What is listed, and in which order -------------------------------------------------------


def test_ops_is_asked_for_every_unsigned_criterion_of_their_transitions_named_to_them_first(
    client_as, ops, project
):
    other_ops = factories.MembershipFactory(project=project, role=Role.OPS).user
    asks_another = factories.CriterionFactory(
        project=project, expected_signer=other_ops, due_date=days(1)
    )
    names_nobody = factories.CriterionFactory(project=project, due_date=days(2))
    asks_me = factories.CriterionFactory(project=project, expected_signer=ops, due_date=days(3))
    response = client_as(ops).get(MY_ITEMS)
    assert response.context["criteria"] == [asks_me, names_nobody, asks_another]
    html = response.content.decode()
    assert "asked of you" in html
    assert f"asked of {other_ops.display_name}" in html
    assert "Any operations member of the transition may sign" in html
    assert "Nothing for you to sign off" not in html


def test_overdue_criteria_come_first_and_say_so(client_as, ops, project):
    asks_me = factories.CriterionFactory(project=project, expected_signer=ops, due_date=days(3))
    late = factories.CriterionFactory(project=project, due_date=days(-2))
    response = client_as(ops).get(MY_ITEMS)
    assert response.context["criteria"] == [late, asks_me]
    html = response.content.decode()
    row = html[html.index(f'id="my-criterion-{late.pk}"') :]
    row = row[: row.index("</li>")]
    assert "my-item-overdue" in html
    assert ">overdue</span>" in row
    assert "text-overdue" in row


def test_items_are_grouped_by_transition_the_one_with_the_earliest_due_item_first(
    client_as, ops, project
):
    later = factories.ProjectFactory(name="Later transition")
    factories.MembershipFactory(project=later, user=ops, role=Role.OPS)
    factories.TaskFactory(project=later, owner=ops, due_date=days(1))
    factories.TaskFactory(project=project, owner=ops, due_date=days(5))
    factories.TaskFactory(project=later, owner=ops, due_date=days(9))
    factories.TaskFactory(project=project, owner=ops, due_date=days(-1))
    response = client_as(ops).get(MY_ITEMS)
    assert [task.project for task in response.context["tasks"]] == [project, project, later, later]
    html = response.content.decode()
    # One heading per transition, linking to it; each item links to its row there.
    assert html.count(f'<a href="{project.get_absolute_url()}">{project.name}</a>') == 1
    assert html.count(f'<a href="{later.get_absolute_url()}">{later.name}</a>') == 1
    for task in response.context["tasks"]:
        link = f"{task.project.get_absolute_url()}?task={task.pk}#task-{task.pk}"
        assert f'href="{link}"' in html
    assert html.index(project.name) < html.index(later.name)


def test_a_lead_is_asked_only_for_the_criteria_that_name_them_and_signs_as_operations(
    client_as, lead, ops, project
):
    factories.CriterionFactory(project=project)  # names nobody: for operations
    named = factories.CriterionFactory(project=project, expected_signer=lead)
    response = client_as(lead).get(MY_ITEMS)
    assert response.context["criteria"] == [named]
    assert 'name="as_ops"' in response.content.decode()
    assert 'name="as_ops"' not in client_as(ops).get(MY_ITEMS).content.decode()


def test_a_closed_transition_asks_for_nothing(client_as, ops, project):
    factories.TaskFactory(project=project, owner=ops)
    factories.CriterionFactory(project=project, expected_signer=ops)
    project.phase = "cancelled"
    project.save()
    response = client_as(ops).get(MY_ITEMS)
    assert response.context["tasks"] == response.context["criteria"] == []


def test_empty_lists_say_what_to_do_next(client_as, ops, viewer, project):
    as_ops = client_as(ops).get(MY_ITEMS).content.decode()
    assert "No open task is assigned to you" in as_ops
    assert "Every acceptance criterion on your transitions is signed off" in as_ops
    as_viewer = client_as(viewer).get(MY_ITEMS).content.decode()
    assert "Nothing for you to sign off: the operations members of a transition" in as_viewer


def test_a_viewer_sees_their_tasks_without_any_action(client_as, viewer, project):
    factories.TaskFactory(project=project, owner=viewer, title="Read the runbook")
    factories.CriterionFactory(project=project, expected_signer=viewer)
    response = client_as(viewer).get(MY_ITEMS)
    html = response.content.decode()
    assert "Read the runbook" in html
    assert "Read only: your role in this transition cannot change it." in html
    assert "<form" not in html.split('id="my-tasks"')[1].split("</main>")[0]
    assert response.context["criteria"] == []
    assert "statement_digest" not in html


def test_the_page_works_without_javascript(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops)
    criterion = factories.CriterionFactory(project=project)
    html = client_as(ops).get(MY_ITEMS).content.decode()
    assert f'action="{status_url(task)}"' in html
    assert f'action="{sign_off_url(criterion)}"' in html
    assert '<noscript><button class="btn btn-sm btn-outline-secondary" type="submit">Save' in html
    assert f'name="statement_digest" value="{criterion.statement_digest}"' in html
    assert 'name="from" value="my-items"' in html


# The status change in place -----------------------------------------------------------------


def test_a_status_change_from_my_items_answers_with_the_my_items_row(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops, title="Write the runbook")
    response = client_as(ops).post(
        status_url(task), {"status": "in_progress", **FROM_MY_ITEMS}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="my-task-{task.pk}"')
    assert '<option value="in_progress" selected>' in html
    assert 'name="from" value="my-items"' in html
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS


def test_a_task_set_done_from_my_items_stays_until_reload(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops)
    response = client_as(ops).post(
        status_url(task), {"status": "done", **FROM_MY_ITEMS}, HTTP_HX_REQUEST="true"
    )
    assert "Done: it leaves this list when the page reloads." in response.content.decode()
    assert client_as(ops).get(MY_ITEMS).context["tasks"] == []


def test_the_transition_page_still_gets_its_own_row(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops)
    response = client_as(ops).post(
        status_url(task), {"status": "in_progress"}, HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().lstrip().startswith(f'<tr id="task-{task.pk}"')


def test_a_status_change_without_javascript_comes_back_to_my_items(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops, title="Write the runbook")
    response = client_as(ops).post(
        status_url(task), {"status": "blocked", **FROM_MY_ITEMS}, follow=True
    )
    assert response.redirect_chain == [(MY_ITEMS, 302)]
    assert "“Write the runbook” is now Blocked." in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.BLOCKED


def test_a_refused_status_change_shows_inline_and_changes_nothing(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops)
    before = snapshot()
    response = client_as(ops).post(
        status_url(task), {"status": "finished", **FROM_MY_ITEMS}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="my-task-{task.pk}"' in html
    assert 'role="alert">Choose one of the listed statuses.' in html
    assert '<option value="todo" selected>' in html  # the control shows the saved value
    assert snapshot() == before


def test_a_member_demoted_to_viewer_cannot_change_the_status_from_my_items(client_as, ops, project):
    task = factories.TaskFactory(project=project, owner=ops)
    Membership.objects.filter(project=project, user=ops).update(role=Role.VIEWER)
    before = snapshot()
    response = client_as(ops).post(
        status_url(task), {"status": "done", **FROM_MY_ITEMS}, HTTP_HX_REQUEST="true"
    )
    # The page's error handler shows the reason and puts the control back.
    assert response.status_code == 403
    assert snapshot() == before


# The sign-off in place ----------------------------------------------------------------------


def test_a_sign_off_from_my_items_answers_with_the_signed_my_items_row(client_as, ops, project):
    criterion = factories.CriterionFactory(project=project)
    response = client_as(ops).post(
        sign_off_url(criterion), sign_off_data(criterion), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="list-group-item" id="my-criterion-{criterion.pk}"')
    assert f"Signed off by {ops.display_name}" in html
    assert "statement_digest" not in html  # no second sign-off form
    signoff = SignOff.objects.get(criterion=criterion)
    assert (signoff.signed_by, signoff.signed_as_ops) == (ops, False)
    assert client_as(ops).get(MY_ITEMS).context["criteria"] == []


def test_a_sign_off_without_javascript_comes_back_to_my_items(client_as, ops, project):
    criterion = factories.CriterionFactory(project=project)
    response = client_as(ops).post(sign_off_url(criterion), sign_off_data(criterion), follow=True)
    assert response.redirect_chain == [(MY_ITEMS, 302)]
    assert "Signed off." in response.content.decode()
    assert SignOff.objects.filter(criterion=criterion).exists()


def test_a_sign_off_of_a_changed_statement_is_refused_inline(client_as, ops, project):
    criterion = factories.CriterionFactory(project=project)
    data = sign_off_data(criterion)
    criterion.statement = "Runbook accepted by the night shift."
    criterion.save()
    before = snapshot()
    response = client_as(ops).post(sign_off_url(criterion), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="my-criterion-{criterion.pk}"' in html
    assert "The statement changed after you opened the page" in html
    assert '<details class="mt-1" open>' in html  # the form stays open, with the new digest
    assert f'value="{criterion.statement_digest}"' in html
    assert snapshot() == before


def test_a_lead_must_tick_as_operations_and_is_told_so_inline(client_as, lead, project):
    criterion = factories.CriterionFactory(project=project, expected_signer=lead)
    refused = client_as(lead).post(
        sign_off_url(criterion), sign_off_data(criterion), HTTP_HX_REQUEST="true"
    )
    assert "A lead may sign off only explicitly on behalf of operations" in refused.content.decode()
    assert not SignOff.objects.exists()
    signed = client_as(lead).post(
        sign_off_url(criterion), sign_off_data(criterion, as_ops="on"), HTTP_HX_REQUEST="true"
    )
    assert f"Signed off by {lead.display_name} as operations" in signed.content.decode()
    assert SignOff.objects.get(criterion=criterion).signed_as_ops


def test_a_criterion_someone_else_signed_meanwhile_shows_who(client_as, ops, project):
    criterion = factories.CriterionFactory(project=project)
    other_ops = factories.MembershipFactory(project=project, role=Role.OPS).user
    factories.SignOffFactory(criterion=criterion, signed_by=other_ops)
    response = client_as(ops).post(
        sign_off_url(criterion), sign_off_data(criterion), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "This criterion is already signed off." in html
    assert f"Signed off by {other_ops.display_name}" in html
    assert SignOff.objects.filter(criterion=criterion).count() == 1


# Pages and query budgets -----------------------------------------------------------------------


def test_each_list_pages_by_25_and_keeps_its_transition_heading_on_the_next_page(
    client_as, ops, project
):
    factories.TaskFactory.create_batch(30, project=project, owner=ops)
    factories.CriterionFactory.create_batch(27, project=project)
    client = client_as(ops)
    first = client.get(MY_ITEMS)
    assert (len(first.context["tasks"]), len(first.context["criteria"])) == (25, 25)
    second = client.get(MY_ITEMS, {"tasks_page": 2, "criteria_page": 2})
    assert (len(second.context["tasks"]), len(second.context["criteria"])) == (5, 2)
    assert second.content.decode().count(f">{project.name}</a></h3>") == 2


@pytest.mark.parametrize("n", [3, 30])
def test_my_items_queries_do_not_grow_with_items_or_transitions(
    client_as, ops, project, django_assert_max_num_queries, n
):
    others = [factories.ProjectFactory() for _ in range(2)]
    for other in others:
        factories.MembershipFactory(project=other, user=ops, role=Role.OPS)
    another_ops = factories.MembershipFactory(project=project, role=Role.OPS).user
    projects = [project, *others]
    for i in range(n):
        where = projects[i % 3]
        factories.TaskFactory(project=where, owner=ops, due_date=days(i - 5))
        factories.CriterionFactory(
            project=where, due_date=days(i - 5), expected_signer=(ops, None, another_ops)[i % 3]
        )
    client = client_as(ops)
    # The session, the user, and a count and a page for each list.
    with django_assert_max_num_queries(6):
        response = client.get(MY_ITEMS)
    assert len(response.context["tasks"]) == len(response.context["criteria"]) == min(n, 25)


@pytest.mark.parametrize("n", [3, 30])
def test_the_in_place_answers_cost_the_same_whatever_the_list(
    client_as, ops, project, django_assert_max_num_queries, n
):
    tasks = factories.TaskFactory.create_batch(n, project=project, owner=ops)
    criteria = factories.CriterionFactory.create_batch(n, project=project)
    client = client_as(ops)
    # Most of each is the write: the project lock, the history rows, the summary refresh
    # (which reads every gate: seven queries for the support model, three for runbooks,
    # three for monitoring).
    with django_assert_max_num_queries(30):
        client.post(
            status_url(tasks[0]), {"status": "blocked", **FROM_MY_ITEMS}, HTTP_HX_REQUEST="true"
        )
    with django_assert_max_num_queries(32):
        client.post(sign_off_url(criteria[0]), sign_off_data(criteria[0]), HTTP_HX_REQUEST="true")


def test_a_refusal_without_javascript_comes_back_to_my_items_saying_why(client_as, ops, project):
    criterion = factories.CriterionFactory(project=project)
    data = sign_off_data(criterion)
    criterion.statement = "Runbook accepted by the night shift."
    criterion.save()
    before = snapshot()
    my_items = reverse("projects:my-items")
    client = client_as(ops)
    response = client.post(
        sign_off_url(criterion), data, HTTP_REFERER=f"http://testserver{my_items}"
    )
    assert response.status_code == 302
    assert response["Location"] == my_items
    assert (
        "The statement changed after you opened the page" in client.get(my_items).content.decode()
    )
    assert snapshot() == before
