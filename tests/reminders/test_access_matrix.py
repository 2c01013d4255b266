"""Who may use each route of a transition: the reminders app's access matrix."""

from dataclasses import dataclass

import pytest

from apps.projects.models import Project
from apps.reminders.models import DigestLog, DigestStatus
from tests import access_matrix
from tests.access_matrix import Route
from tests.reminders.conftest import NOW, TODAY

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class World:
    project: Project
    log: DigestLog | None  # None in the demo walk (tests/core/test_csp.py)


@pytest.fixture
def world(project, lead, contributor, ops, viewer, outsider):
    log = DigestLog.objects.create(
        recipient=contributor,
        digest_date=TODAY,
        status=DigestStatus.SENT,
        claimed_at=NOW,
        sent_at=NOW,
        attempts=1,
        subject=f"Reminders for {project.name}: 1 overdue",
    )
    log.projects.add(project)
    return World(project=project, log=log)


def snapshot():
    return list(DigestLog.objects.order_by("pk").values_list("status", "attempts"))


MATRIX = access_matrix.Matrix(
    snapshot=snapshot,
    routes=(
        Route(
            "reminders:project-history",
            "GET",
            lambda w: [w.project.pk],
            may=frozenset({"lead"}),
        ),
    ),
)


@MATRIX.each_route()
def test_an_outsider_gets_404(client_as, outsider, world, route):
    access_matrix.outsider_gets_404(client_as(outsider), world, route, MATRIX)


@MATRIX.each_route()
def test_anonymous_users_are_sent_to_log_in(client, world, route):
    access_matrix.anonymous_is_sent_to_log_in(client, world, route)


@MATRIX.each_read_by_a_member()
def test_the_lead_reads_the_history(request, client_as, world, route, persona):
    user = request.getfixturevalue(persona)
    access_matrix.member_can_read(client_as(user), world, route, shows=world.log.subject)


@pytest.mark.parametrize("persona", ["contributor", "ops", "viewer"])
def test_other_members_are_refused_the_history(request, client_as, world, persona):
    user = request.getfixturevalue(persona)
    access_matrix.is_refused(client_as(user), world, MATRIX.routes[0], MATRIX)


@MATRIX.each_route()
def test_staff_read_the_history(client, world, route):
    from tests import factories

    client.force_login(factories.UserFactory(is_staff=True))
    access_matrix.staff_read_only(client, world, route, MATRIX)
