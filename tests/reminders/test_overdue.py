"""The projects app's hand-off items (apps/projects/overdue.py) and the registry."""

import pytest
from django.utils import timezone

from apps.projects import overdue
from apps.projects.models import Phase, Role
from apps.reminders import items
from tests import factories
from tests.reminders.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def keyed(found):
    return {(i.key, i.recipient_id) for i in found}


def test_the_registry_lists_the_projects_items():
    assert overdue.items in items.SOURCES


def test_open_tasks_overdue_or_due_soon_go_to_their_owner(project, contributor):
    late = factories.TaskFactory(project=project, owner=contributor, due_date=days(-2))
    soon = factories.TaskFactory(project=project, owner=contributor, due_date=days(3))
    factories.TaskFactory(project=project, owner=contributor, due_date=days(4))  # later
    factories.TaskFactory(
        project=project, owner=contributor, due_date=days(-2), status="done",
        completed_at=timezone.now(),
    )  # fmt: skip
    found = list(overdue.items(TODAY))
    assert keyed(found) == {
        (f"task:{late.pk}", contributor.pk),
        (f"task:{soon.pk}", contributor.pk),
    }
    first = next(i for i in found if i.key == f"task:{late.pk}")
    assert first.url == f"/p/{project.pk}/?task={late.pk}#task-{late.pk}"
    assert (first.project_name, first.kind, first.due_date) == (project.name, "task", days(-2))


def test_a_criterion_goes_to_the_expected_signer_else_the_ops_lead_else_every_ops_member(
    project, ops, lead
):
    other_ops = factories.UserFactory()
    factories.MembershipFactory(project=project, user=other_ops, role=Role.OPS)
    named = factories.CriterionFactory(project=project, due_date=days(-1), expected_signer=ops)
    unnamed = factories.CriterionFactory(project=project, due_date=days(1))
    assert keyed(overdue.items(TODAY)) == {
        (f"criterion:{named.pk}", ops.pk),
        (f"criterion:{unnamed.pk}", ops.pk),
        (f"criterion:{unnamed.pk}", other_ops.pk),
    }
    project.ops_lead = other_ops
    project.save()
    assert (f"criterion:{unnamed.pk}", other_ops.pk) in keyed(overdue.items(TODAY))
    assert (f"criterion:{unnamed.pk}", ops.pk) not in keyed(overdue.items(TODAY))


def test_a_criterion_with_nobody_to_sign_is_addressed_to_nobody(project):
    criterion = factories.CriterionFactory(project=project, due_date=days(-1))
    assert keyed(overdue.items(TODAY)) == {(f"criterion:{criterion.pk}", None)}


def test_signed_and_withdrawn_criteria_are_not_items(project, ops, lead):
    signed = factories.CriterionFactory(project=project, due_date=days(-1))
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    factories.CriterionFactory(
        project=project, due_date=days(-1), withdrawn_at=timezone.now(), withdrawn_by=lead,
        withdraw_reason="Out of scope.",
    )  # fmt: skip
    assert list(overdue.items(TODAY)) == []


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_closed_transitions_are_never_reminded(project, contributor, phase):
    factories.TaskFactory(project=project, owner=contributor, due_date=days(-2))
    factories.CriterionFactory(project=project, due_date=days(-2))
    project.phase = phase
    project.save()
    assert list(overdue.items(TODAY)) == []


@pytest.mark.parametrize("n", [3, 30])
def test_the_items_cost_the_same_few_queries_whatever_their_number(
    django_assert_max_num_queries, n
):
    for _ in range(n):
        project = factories.ProjectFactory()
        factories.TaskFactory(project=project, due_date=days(-1))
        factories.CriterionFactory(project=project, due_date=days(-1))
    # Tasks, criteria (the projects app's source), stale runbooks (the runbooks app's),
    # alerts and dashboards (the monitoring app's).
    with django_assert_max_num_queries(6):
        found = list(items.collect(TODAY, until=days(3)))
    assert len(found) == 2 * n


def test_until_reaches_further_ahead(project, contributor):
    factories.TaskFactory(project=project, owner=contributor, due_date=days(6))
    assert list(overdue.items(TODAY)) == []
    assert len(list(overdue.items(TODAY, until=days(6)))) == 1
