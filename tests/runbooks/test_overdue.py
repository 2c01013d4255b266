"""Runbooks due for review are hand-off items for their owners (apps/runbooks/overdue.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.projects.models import Phase
from apps.reminders import items as reminder_items
from apps.runbooks import overdue
from apps.runbooks.models import RunbookStatus
from tests import factories
from tests.runbooks.factories import RunbookFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 18)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _due_soon(settings):
    settings.REMINDERS_DUE_SOON_DAYS = 3


def keyed(found) -> set[tuple[str, int | None]]:
    return {(i.key, i.recipient_id) for i in found}


def test_the_registry_lists_the_runbooks_items():
    assert overdue.items in reminder_items.SOURCES


def test_a_published_runbook_past_or_near_its_review_date_goes_to_its_owner(project, contributor):
    stale = RunbookFactory(project=project, owner=contributor, review_by=days(-10))
    soon = RunbookFactory(project=project, owner=contributor, review_by=days(3))
    RunbookFactory(project=project, owner=contributor, review_by=days(4))  # later
    RunbookFactory(
        project=project, owner=contributor, review_by=days(-10), status=RunbookStatus.DRAFT
    )  # not in use yet: the gate names it, nobody is reminded

    found = list(overdue.items(TODAY))

    assert keyed(found) == {
        (f"runbook:{stale.pk}", contributor.pk),
        (f"runbook:{soon.pk}", contributor.pk),
    }
    item = next(i for i in found if i.key == f"runbook:{stale.pk}")
    assert item.url == reverse("runbooks:detail", args=[project.pk, stale.pk])
    assert item.url == f"/runbooks/p/{project.pk}/{stale.pk}/"
    assert (item.project_id, item.project_name) == (project.pk, project.name)
    assert (item.kind, item.due_date) == ("runbook", days(-10))
    assert stale.title in item.title


def test_until_widens_the_horizon():
    runbook = RunbookFactory(review_by=days(10))

    assert list(overdue.items(TODAY)) == []
    assert keyed(overdue.items(TODAY, until=days(10))) == {
        (f"runbook:{runbook.pk}", runbook.owner_id)
    }


def test_a_review_that_moves_the_date_on_ends_the_reminder(project):
    runbook = RunbookFactory(project=project, review_by=days(-1))
    assert len(list(overdue.items(TODAY))) == 1

    runbook.review_by = days(90)
    runbook.save()

    assert list(overdue.items(TODAY)) == []


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_a_closed_transition_yields_nothing(project, phase):
    RunbookFactory(project=project, review_by=days(-30))
    project.phase = phase
    project.save()

    assert list(overdue.items(TODAY)) == []


def test_person_keeps_only_that_owners_runbooks(project, contributor, ops):
    mine = RunbookFactory(project=project, owner=contributor, review_by=days(-1))
    RunbookFactory(project=project, owner=ops, review_by=days(-1))

    assert keyed(overdue.items(TODAY, person=contributor.pk)) == {
        (f"runbook:{mine.pk}", contributor.pk)
    }
    assert list(overdue.items(TODAY, person=factories.UserFactory().pk)) == []


def test_project_ids_keep_only_those_transitions(project):
    here = RunbookFactory(project=project, review_by=days(-1))
    RunbookFactory(review_by=days(-1))  # another transition

    assert keyed(overdue.items(TODAY, project_ids=[project.pk])) == {
        (f"runbook:{here.pk}", here.owner_id)
    }
    assert list(overdue.items(TODAY, project_ids=[])) == []


def test_the_reminders_collect_them_with_the_other_apps_items(project):
    runbook = RunbookFactory(project=project, review_by=days(-1))

    collected = list(reminder_items.collect(TODAY, until=days(3)))

    assert f"runbook:{runbook.pk}" in {i.key for i in collected}


@pytest.mark.parametrize("n", [2, 12])
def test_the_items_cost_one_query_whatever_their_number(django_assert_num_queries, n):
    for _ in range(n):
        RunbookFactory(review_by=days(-2))  # each in its own transition

    with django_assert_num_queries(1):
        found = list(overdue.items(TODAY))

    assert len(found) == n
