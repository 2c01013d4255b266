"""The activity page: who changed what and when, paged, in a bounded number of queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.activity import ActivitySource
from apps.projects import activity, services
from apps.projects import activity_sources as projects_activity
from apps.projects.models import Task
from tests import factories
from tests.projects.db_state import form_data

pytestmark = pytest.mark.django_db


def test_times_are_relative_with_the_exact_local_time_on_hover(client_as, lead, project, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    done_at = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)  # 2 Jan 01:00 in Auckland
    with time_machine.travel(done_at, tick=False):
        factories.TaskFactory(project=project)
    with time_machine.travel(done_at + dt.timedelta(hours=2), tick=False):
        html = client_as(lead).get(reverse("projects:activity", args=[project.pk])).content
    assert (
        '<time datetime="2025-01-01T12:00:00+00:00" title="Thu 2 Jan 2025, 01:00 NZDT">'
        "2 hours ago</time>"
    ) in html.decode()


def test_changes_name_teams_and_people_not_database_ids(client_as, lead, project):
    team = factories.TeamFactory(name="Platform Ops")
    ops_lead = factories.UserFactory(full_name="Helena Novak")
    team.members.add(ops_lead)
    client = client_as(lead)
    url = reverse("projects:edit", args=[project.pk])
    client.post(url, form_data(client.get(url), ops_team=team.pk, ops_lead=ops_lead.pk))
    html = client_as(lead).get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "set the receiving operations team to Platform Ops" in html
    assert "set the operations lead to Helena Novak" in html
    assert "—" not in html.split('data-testid="activity"')[1]


def test_a_save_that_changed_nothing_is_not_listed(project, lead):
    task = factories.TaskFactory(project=project)
    task._history_user = lead
    task.save()
    entries = activity.recent(project).entries
    assert [e.action for e in entries if e.kind == "tasks"] == ["added the task"]


def test_older_changes_are_on_later_pages(client_as, lead, project):
    tasks = factories.TaskFactory.create_batch(5, project=project)
    first = activity.recent(project, limit=3)
    second = activity.recent(project, limit=3, page=2)
    assert first.has_next
    labels = [e.target for e in first.entries + second.entries]
    assert len(labels) == len(set(labels))  # nothing twice across pages
    assert {f"“{t.title}”" for t in tasks} <= set(labels)
    response = client_as(lead).get(
        reverse("projects:activity", args=[project.pk]), {"page": "nonsense"}
    )
    assert response.status_code == 200
    assert response.context["feed"].number == 1


def test_the_page_number_is_bounded(project):
    assert activity.recent(project, page=10_000).number == activity.MAX_PAGE
    assert activity.recent(project, page=-3).number == 1


def test_activity_shows_who_changed_what(client_as, contributor, project, task):
    client = client_as(contributor)
    client.post(reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"})
    html = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert contributor.display_name in html
    assert "marked the task" in html
    assert "as Done" in html


# The session, the user and the access check; the people to filter by; the heads (with
# what each link needs), the records of each of the five sources; the names of users.
QUERY_BUDGET = 3 + 1 + 1 + 5 + 1


@pytest.mark.parametrize("n", [3, 30])
def test_activity_queries_do_not_grow(
    client_as, lead, project, fill, django_assert_max_num_queries, n
):
    fill(project, n)
    client = client_as(lead)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(reverse("projects:activity", args=[project.pk]))
    assert response.context["entries"]
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(
            reverse("projects:activity", args=[project.pk]),
            {"kind": "tasks", "person": fill_owner(project).pk, "page": 2},
        )
    assert response.status_code == 200


def fill_owner(project):
    return project.memberships.filter(role="ops").first().user


def _queries_for(project, sources=None, **filters) -> int:
    with CaptureQueriesContext(connection) as queries:
        activity.recent(project, sources=sources, **filters)
    return len(queries)


@pytest.mark.parametrize("n", [3, 30])
def test_a_page_costs_one_query_plus_one_per_source_it_shows(lead, project, fill, n):
    fill(project, n)
    services.task_set_status(
        task=factories.TaskFactory(project=project), status="done", by=lead, now=timezone.now()
    )
    # The projects app's five sources, one kind each (other apps' sources are silent
    # here, and cost nothing: the next test).
    sources = projects_activity.SOURCES
    entries = activity.recent(project, sources=sources, limit=500).entries
    kinds_shown = {e.kind for e in entries}
    assert len(kinds_shown) == len(sources)  # every source is on the page
    # The heads of every source in one UNION ALL, then each shown source's records,
    # then the people named.
    assert _queries_for(project, sources, limit=500) == 1 + len(kinds_shown) + 1


def test_sources_with_nothing_on_the_page_cost_no_query(project, fill):
    fill(project, 3)
    # Twenty more apps whose history holds nothing for this transition (and whose
    # query uses the id in a way the compiled statement cannot rerun: still right).
    silent = tuple(
        ActivitySource(Task, lambda pid: Task.history.filter(project_id=-pid), str, "x", "X")
        for _ in range(20)
    )
    assert _queries_for(project, activity.SOURCES + silent) == _queries_for(project)
    entries = activity.recent(project, sources=activity.SOURCES + silent).entries
    assert entries == activity.recent(project).entries


def test_a_page_names_people_in_one_query_whatever_the_rows(client_as, lead, project):
    team = factories.TeamFactory(name="Platform Ops")
    owners = []
    for task in factories.TaskFactory.create_batch(5, project=project):
        task.owner = factories.UserFactory()
        owners.append(task.owner.display_name)
        task._history_user = lead
        task.save()
    services.project_update(project_id=project.pk, changes={"ops_team": team}, by=lead)
    # The heads, three sources shown (project, task, membership), users, teams.
    assert _queries_for(project) == 1 + 3 + 2
    told = " ".join(e.sentence for e in activity.recent(project).entries)
    assert all(f"→ {name}" in told or f"set the owner to {name}" in told for name in owners)


def test_each_registered_source_tells_its_own_rows(project, lead, ops):
    criterion = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    told = {(e.kind, e.action, e.target) for e in activity.recent(project).entries}
    assert ("criteria", "added the acceptance criterion", "“Backups restore.”") in told
    assert ("sign-offs", "signed off", "“Backups restore.”") in told
    assert ("members", "added", ops.display_name) in told
    assert ("transition", "created the transition", project.name) in told


def test_the_heads_query_is_compiled_once_and_rerun_for_other_transitions(lead, project):
    other = factories.ProjectFactory(name="Other")
    factories.TaskFactory(project=other, title="Elsewhere")
    factories.TaskFactory(project=project, title="Here")
    activity._statement.cache_clear()
    here = [e.target for e in activity.recent(project).entries]
    there = [e.target for e in activity.recent(other).entries]
    assert activity._statement.cache_info().hits == 1
    assert "“Here”" in here
    assert "“Elsewhere”" not in here
    assert "“Elsewhere”" in there
    assert "“Here”" not in there


# The page: filters, paging, links, who may read it --------------------------------


def _page(client, project, **params):
    return client.get(reverse("projects:activity", args=[project.pk]), params)


def test_an_outsider_gets_404_and_a_viewer_can_read_it(client_as, project, outsider, viewer):
    factories.TaskFactory(project=project, title="Visible")
    assert _page(client_as(outsider), project).status_code == 404
    response = _page(client_as(viewer), project)
    assert response.status_code == 200
    assert "“Visible”" in response.content.decode()


def test_filtering_by_kind_shows_only_that_kind(client_as, lead, project, ops):
    factories.TaskFactory(project=project, title="A task")
    factories.CriterionFactory(project=project, statement="A criterion")
    response = _page(client_as(lead), project, kind="criteria")
    assert {e.kind for e in response.context["entries"]} == {"criteria"}
    html = response.content.decode()
    assert '<option value="criteria" selected>' in html
    assert "A task" not in html


def test_filtering_by_person_shows_only_their_changes(client_as, lead, contributor, project):
    mine = factories.TaskFactory(project=project, title="Mine")
    services.task_set_status(task=mine, status="done", by=contributor, now=timezone.now())
    services.task_set_status(
        task=factories.TaskFactory(project=project, title="Theirs"),
        status="done",
        by=lead,
        now=timezone.now(),
    )
    entries = _page(client_as(lead), project, person=contributor.pk).context["entries"]
    assert [e.target for e in entries] == ["“Mine”"]
    assert {e.who_id for e in entries} == {contributor.pk}


def test_paging_keeps_the_filters_in_its_links(client_as, lead, contributor, project):
    for task in factories.TaskFactory.create_batch(activity.PAGE_SIZE + 5, project=project):
        services.task_set_status(task=task, status="done", by=contributor, now=timezone.now())
    client = client_as(lead)
    first = _page(client, project, kind="tasks", person=contributor.pk)
    assert len(first.context["entries"]) == activity.PAGE_SIZE
    older = f"?kind=tasks&amp;person={contributor.pk}&amp;page=2"
    assert older in first.content.decode()
    second = _page(client, project, kind="tasks", person=contributor.pk, page=2)
    assert len(second.context["entries"]) == 5
    assert {e.who_id for e in second.context["entries"]} == {contributor.pk}
    assert f"?kind=tasks&amp;person={contributor.pk}&amp;page=1" in second.content.decode()
    seen = [e.target for e in first.context["entries"] + second.context["entries"]]
    assert len(seen) == len(set(seen))


def test_the_person_filter_offers_present_and_former_members(client_as, lead, project):
    former = factories.UserFactory(full_name="Former Member")
    membership = services.membership_add(project=project, user=former, role="viewer", by=lead)
    services.membership_remove(membership=membership, by=lead)
    stranger = factories.UserFactory(full_name="Not A Member")
    html = _page(client_as(lead), project).content.decode()
    assert f'<option value="{former.pk}">Former Member</option>' in html
    assert "Not A Member" not in html
    response = _page(client_as(lead), project, person=stranger.pk)
    assert response.status_code == 200
    assert response.context["filters"].person is None  # no peeking at outsiders
    assert "not a member of this transition" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"kind": "bananas"}, "That kind of change does not exist"),
        ({"person": "nobody"}, "That person is not a member"),
    ],
)
def test_a_filter_that_makes_no_sense_is_dropped_with_a_sentence(
    client_as, lead, project, params, problem
):
    response = _page(client_as(lead), project, **params)
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert response.context["entries"]  # everything, unfiltered


def test_entries_link_to_the_thing_changed(client_as, lead, project):
    task = factories.TaskFactory(project=project, title="Linked")
    html = _page(client_as(lead), project).content.decode()
    detail = reverse("projects:detail", args=[project.pk])
    assert f'<a href="{detail}?task={task.pk}#task-{task.pk}">“Linked”</a>' in html
    assert f'<a href="{reverse("projects:members", args=[project.pk])}">' in html


def test_empty_states_say_what_to_do(client_as, lead, project, viewer):
    project.history.all().delete()
    project.memberships.model.history.all().delete()
    html = _page(client_as(lead), project).content.decode()
    assert "Nothing has changed on this transition yet" in html
    assert "by adding tasks and criteria" in html
    factories.TaskFactory(project=project)
    filtered = _page(client_as(lead), project, kind="sign-offs").content.decode()
    assert "No changes match these filters" in filtered
    assert "show all activity" in filtered
    past_the_end = _page(client_as(lead), project, page=7).content.decode()
    assert "No older changes" in past_the_end
    assert "Back to the newest" in past_the_end
