import datetime as dt

import pytest
from django.urls import reverse

from apps.projects import activity, services
from apps.projects.models import Task
from tests import factories

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
    client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {
            "name": project.name,
            "lead": lead.pk,
            "hypercare_days": 14,
            "ops_team": team.pk,
            "ops_lead": ops_lead.pk,
            "go_live_date": project.go_live_date.isoformat(),
        },
    )
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
