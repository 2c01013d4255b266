"""Pages across transitions: the dashboard and My items, with their query budgets."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.projects.models import (
    Membership,
    Phase,
    Role,
    Task,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_only_visible_projects_with_counts(client_as, lead, project):
    today = timezone.localdate()
    factories.TaskFactory(project=project, due_date=today - dt.timedelta(days=2))
    factories.TaskFactory(project=project, status=Task.Status.DONE, completed_at=timezone.now())
    factories.CriterionFactory(project=project)
    hidden = factories.ProjectFactory(name="Someone else's")
    response = client_as(lead).get(reverse("projects:dashboard"))
    html = response.content.decode()
    assert project.name in html
    assert hidden.name not in html
    row = response.context["page"].object_list[0]
    assert (row["tasks_done"], row["tasks_total"], row["tasks_overdue"]) == (1, 2, 1)
    assert (row["criteria_signed"], row["criteria_total"]) == (0, 1)


def test_the_dashboard_filters_by_phase_lead_and_mine(client_as, lead, project):
    other = factories.ProjectFactory(name="Data warehouse", phase=Phase.READINESS)
    factories.MembershipFactory(project=other, user=lead, role=Role.VIEWER)
    client = client_as(lead)

    def names(**params):
        response = client.get(reverse("projects:dashboard"), params)
        return [p["name"] for p in response.context["page"].object_list]

    assert sorted(names()) == ["Data warehouse", "Payments platform"]
    assert names(phase="readiness") == ["Data warehouse"]
    assert names(lead=other.lead.pk) == ["Data warehouse"]
    assert names(mine="on") == ["Payments platform"]
    assert names(sort="-name") == ["Payments platform", "Data warehouse"]


def test_a_bad_dashboard_filter_is_explained(client_as, lead, project):
    response = client_as(lead).get(reverse("projects:dashboard"), {"phase": "nonsense"})
    assert response.status_code == 400
    assert "The filter was not understood" in response.content.decode()


def test_closed_transitions_are_hidden_unless_asked_for(client_as, lead, project):
    project.phase = Phase.BAU
    project.save()
    client = client_as(lead)
    assert not client.get(reverse("projects:dashboard")).context["page"].object_list
    assert client.get(reverse("projects:dashboard"), {"phase": "all"}).context["page"].object_list


def test_going_back_to_a_filtered_dashboard_gets_the_whole_page(client_as, lead, project):
    # After hx-push-url, a history-cache miss re-requests the URL as an htmx request
    # and swaps the answer into <body>.
    response = client_as(lead).get(
        reverse("projects:dashboard"),
        {"phase": "all"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<nav" in response.content.decode()


def test_an_htmx_filter_request_gets_only_the_table(client_as, lead, project):
    response = client_as(lead).get(
        reverse("projects:dashboard"), {"phase": "all"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="project-table">')
    assert "<nav" not in html


def test_a_bad_htmx_filter_is_explained_inside_the_table(client_as, lead, project):
    response = client_as(lead).get(
        reverse("projects:dashboard"), {"phase": "nonsense"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "The filter was not understood" in response.content.decode()


def test_dashboard_pages_neither_repeat_nor_skip_tied_rows(client_as):
    user = factories.UserFactory()
    go_live = timezone.localdate()
    for _ in range(30):
        project = factories.ProjectFactory(name="Same name", go_live_date=go_live)
        factories.MembershipFactory(project=project, user=user, role=Role.VIEWER)
    client = client_as(user)
    seen = []
    for page in (1, 2):
        response = client.get(reverse("projects:dashboard"), {"page": page})
        seen += [p["pk"] for p in response.context["page"].object_list]
    assert len(seen) == len(set(seen)) == 30


def test_transitions_without_a_go_live_date_sort_last(client_as, lead, project):
    undated = factories.ProjectFactory(name="Undated", go_live_date=None)
    factories.MembershipFactory(project=undated, user=lead, role=Role.VIEWER)
    client = client_as(lead)
    for sort in ("go_live", "-go_live"):
        names = [
            p["name"]
            for p in client.get(reverse("projects:dashboard"), {"sort": sort})
            .context["page"]
            .object_list
        ]
        assert names[-1] == "Undated", sort


def test_dashboard_page_links_keep_the_filters_and_sort(client_as):
    user = factories.UserFactory()
    for _ in range(26):
        factories.MembershipFactory(user=user, role=Role.VIEWER)
    response = client_as(user).get(reverse("projects:dashboard"), {"sort": "name", "phase": "all"})
    assert "sort=name&amp;phase=all&amp;page=2" in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_dashboard_queries_do_not_grow(client_as, django_assert_max_num_queries, n):
    user = factories.UserFactory()
    for _ in range(n):
        project = factories.ProjectFactory()
        factories.MembershipFactory(project=project, user=user, role=Role.VIEWER)
        factories.TaskFactory(project=project)
        factories.CriterionFactory(project=project)
    client = client_as(user)
    # 5, and 2 for the "New transition" button: the user's and their groups' permissions.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("projects:dashboard"))
    assert len(response.context["page"].object_list) == min(n, 25)


def test_my_items_lists_my_open_tasks_and_criteria_awaiting_my_sign_off(client_as, ops, project):
    today = timezone.localdate()
    mine_late = factories.TaskFactory(project=project, owner=ops, due_date=today - dt.timedelta(1))
    mine_soon = factories.TaskFactory(project=project, owner=ops, due_date=today + dt.timedelta(3))
    factories.TaskFactory(project=project, owner=ops, status="done", completed_at=timezone.now())
    factories.TaskFactory(project=project)  # someone else's
    to_sign = factories.CriterionFactory(project=project)
    # Any operations member may sign, so one asking someone else is listed too, after.
    asks_another = factories.CriterionFactory(project=project, expected_signer=project.lead)
    signed = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    response = client_as(ops).get(reverse("projects:my-items"))
    assert response.context["tasks"] == [mine_late, mine_soon]
    assert response.context["criteria"] == [to_sign, asks_another]
    assert "overdue" in response.content.decode()


def test_my_items_does_not_ask_someone_who_is_no_longer_ops(client_as, lead, ops, project):
    factories.CriterionFactory(project=project, statement="Backups restore.", expected_signer=ops)
    Membership.objects.filter(project=project, user=ops).update(role=Role.VIEWER)
    response = client_as(ops).get(reverse("projects:my-items"))
    assert response.context["criteria"] == []


def test_my_items_pages_long_lists_and_keeps_the_other_lists_page(client_as, project):
    owner = factories.MembershipFactory(project=project, role=Role.OPS).user
    factories.TaskFactory.create_batch(30, project=project, owner=owner)
    client = client_as(owner)
    first = client.get(reverse("projects:my-items"))
    assert len(first.context["tasks"]) == 25
    assert "tasks_page=2" in first.content.decode()
    second = client.get(reverse("projects:my-items"), {"tasks_page": 2, "criteria_page": 1})
    assert len(second.context["tasks"]) == 5
    assert "tasks_page=1&amp;criteria_page=1" in second.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_my_items_queries_do_not_grow(client_as, project, fill, django_assert_max_num_queries, n):
    members = fill(project, n)
    client = client_as(members[0])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("projects:my-items"))
    assert response.context["tasks"]


def test_the_dashboard_names_each_lead_as_everywhere_else(client_as):
    named = factories.UserFactory(full_name="", first_name="Ada", last_name="Lovelace")
    bare = factories.UserFactory(full_name="", email="bare@example.com")
    for lead in (named, bare):
        factories.ProjectFactory(lead=lead)
    viewer = factories.UserFactory(is_staff=True)
    rows = client_as(viewer).get(reverse("projects:dashboard")).context["page"].object_list
    assert sorted(row["lead_name"] for row in rows) == sorted(
        [named.display_name, bare.display_name]
    )
    assert {named.display_name, bare.display_name} == {"Ada Lovelace", "bare@example.com"}
