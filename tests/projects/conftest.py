"""Rows of the projects app that several test modules share."""

from collections.abc import Callable

import pytest
from django.utils import timezone

from apps.projects import services
from apps.projects.models import Project, Role, Task
from tests import factories


@pytest.fixture
def task(project):
    return factories.TaskFactory(project=project, title="Write the runbook")


@pytest.fixture
def criterion(project):
    return factories.CriterionFactory(project=project, statement="Runbook accepted by ops.")


@pytest.fixture
def signoff(criterion, ops):
    return factories.SignOffFactory(criterion=criterion, signed_by=ops)


@pytest.fixture
def delivery_lead(lead):
    """The lead persona, in the "Delivery leads" group: may create transitions."""
    services.delivery_lead_grant(user=lead)
    return lead


@pytest.fixture
def fill() -> Callable[[Project, int], list]:
    """`fill(project, n)`: n tasks and n criteria over three ops members, some done or
    signed, for query budgets at 3 and at 30 rows. Returns the three members."""

    def build(project: Project, n: int) -> list:
        members = [
            factories.MembershipFactory(project=project, role=Role.OPS).user for _ in range(3)
        ]
        for i in range(n):
            task = factories.TaskFactory(project=project, owner=members[i % 3])
            if i % 2:
                task.status = Task.Status.DONE
                task.completed_at = timezone.now()
                task.save()
            criterion = factories.CriterionFactory(project=project, expected_signer=members[i % 3])
            if i % 3 == 0:
                factories.SignOffFactory(criterion=criterion, signed_by=members[0])
        return members

    return build
