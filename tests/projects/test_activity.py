"""The activity page: who changed what and when, paged, in a bounded number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.activity import ActivitySource
from apps.projects import activity, services
from apps.projects.models import Task
from tests import factories
from tests.projects.db_state import form_data

pytestmark = pytest.mark.django_db


def test_times_in_changes_are_in_the_sites_time_zone(project, lead, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    task = factories.TaskFactory(project=project)
    done_at = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)  # 2 Jan 01:00 in Auckland
    services.task_set_status(task=task, status=Task.Status.DONE, by=lead, now=done_at)
    entry = next(e for e in activity.recent(project).entries if e.verb == "changed")
    completed = next(c for c in entry.changes if c.field == "completed at")
    assert completed.new == "2025-01-02 01:00"


def test_changes_name_teams_and_people_not_database_ids(client_as, lead, project):
    team = factories.TeamFactory(name="Platform Ops")
    ops_lead = factories.UserFactory(full_name="Helena Novak")
    team.members.add(ops_lead)
    client = client_as(lead)
    url = reverse("projects:edit", args=[project.pk])
    client.post(url, form_data(client.get(url), ops_team=team.pk, ops_lead=ops_lead.pk))
    html = client_as(lead).get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "Receiving operations team: — → Platform Ops" in html
    assert "Operations lead: — → Helena Novak" in html


def test_a_save_that_changed_nothing_is_not_listed(project, lead):
    task = factories.TaskFactory(project=project)
    task._history_user = lead
    task.save()
    entries = activity.recent(project).entries
    assert [e.verb for e in entries if e.kind == "task"] == ["created"]


def test_older_changes_are_on_later_pages(client_as, lead, project):
    tasks = factories.TaskFactory.create_batch(5, project=project)
    first = activity.recent(project, limit=3)
    second = activity.recent(project, limit=3, page=2)
    assert first.has_next
    labels = [e.label for e in first.entries + second.entries]
    assert len(labels) == len(set(labels))  # nothing twice across pages
    assert {f"“{t.title}”" for t in tasks} <= set(labels)
    html = (
        client_as(lead)
        .get(reverse("projects:activity", args=[project.pk]), {"page": "nonsense"})
        .content.decode()
    )
    assert "Page 1" in html


def test_the_page_number_is_bounded(project):
    assert activity.recent(project, page=10_000).number == activity.MAX_PAGE
    assert activity.recent(project, page=-3).number == 1


def test_activity_shows_who_changed_what(client_as, contributor, project, task):
    client = client_as(contributor)
    client.post(reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"})
    html = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert contributor.display_name in html
    assert "Status: To do → Done" in html


@pytest.mark.parametrize("n", [3, 30])
def test_activity_queries_do_not_grow(
    client_as, lead, project, fill, django_assert_max_num_queries, n
):
    fill(project, n)
    client = client_as(lead)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("projects:activity", args=[project.pk]))
    assert response.context["entries"]


def _queries_for(project, sources=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        activity.recent(project, sources=sources)
    return len(queries)


@pytest.mark.parametrize("n", [3, 30])
def test_a_page_costs_one_query_plus_one_per_source_it_shows(lead, project, fill, n):
    fill(project, n)
    services.task_set_status(
        task=factories.TaskFactory(project=project), status="done", by=lead, now=timezone.now()
    )
    entries = activity.recent(project).entries
    kinds_shown = {e.kind for e in entries}
    assert len(kinds_shown) == len(activity.SOURCES)  # every source is on the page
    # The heads of every source in one UNION ALL, then each shown source's records.
    assert _queries_for(project) == 1 + len(kinds_shown)


def test_sources_with_nothing_on_the_page_cost_no_query(project, fill):
    fill(project, 3)
    # Twenty more apps whose history holds nothing for this transition.
    silent = tuple(
        ActivitySource(Task, lambda pid: Task.history.filter(project_id=-pid), str)
        for _ in range(20)
    )
    assert _queries_for(project, activity.SOURCES + silent) == _queries_for(project)
    entries = activity.recent(project, sources=activity.SOURCES + silent).entries
    assert entries == activity.recent(project).entries


def test_a_page_names_people_in_one_query_whatever_the_rows(client_as, lead, project):
    team = factories.TeamFactory(name="Platform Ops")
    for task in factories.TaskFactory.create_batch(5, project=project):
        task.owner = factories.UserFactory()
        task._history_user = lead
        task.save()
    services.project_update(project_id=project.pk, changes={"ops_team": team}, by=lead)
    # The heads, three sources shown (project, task, membership), users, teams.
    assert _queries_for(project) == 1 + 3 + 2
    owners = [c for e in activity.recent(project).entries for c in e.changes if c.field == "owner"]
    assert len(owners) == 5


def test_each_registered_source_names_its_own_rows(project, lead, ops):
    criterion = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    labels = {(e.kind, e.label) for e in activity.recent(project).entries}
    assert ("acceptance criterion", "“Backups restore.”") in labels
    assert ("sign off", "of “Backups restore.”") in labels
    assert ("membership", str(ops)) in labels
    assert ("project", project.name) in labels
