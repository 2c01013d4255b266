"""A person's page previews exactly the digest the sweep would send them, reading only
what can reach them (`person` narrows the item sources outside the transitions they lead)."""

import pytest

from apps.projects.models import Membership, Role
from apps.reminders import services
from tests import factories
from tests.reminders.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def _keys(digest):
    return None if digest is None else (digest.item_keys, digest.escalated_keys)


def test_the_preview_is_the_sweep_s_digest_for_every_member(django_assert_max_num_queries):
    people = [factories.UserFactory() for _ in range(5)]
    lead, ops, owner, viewer, other_ops = people
    led = factories.ProjectFactory(lead=lead)
    unnamed = factories.ProjectFactory(ops_lead=None)  # criteria go to every ops member
    elsewhere = factories.ProjectFactory()
    for project in (led, unnamed, elsewhere):
        for person, role in (
            (lead, Role.LEAD),
            (ops, Role.OPS),
            (owner, Role.CONTRIBUTOR),
            (viewer, Role.VIEWER),
            (other_ops, Role.OPS),
        ):
            Membership.objects.update_or_create(
                project=project, user=person, defaults={"role": role}
            )
        factories.TaskFactory(project=project, owner=owner, due_date=days(-9))  # escalates
        factories.TaskFactory(project=project, owner=ops, due_date=days(1))
        factories.CriterionFactory(project=project, due_date=days(-1), expected_signer=None)
        factories.CriterionFactory(project=project, due_date=days(2), expected_signer=other_ops)
    sweep = services.plan_for(TODAY)
    sent = {digest.recipient_id: digest for digest in sweep.digests}
    for person in people:
        preview, _held = services.preview_for(person.pk, today=TODAY)
        assert _keys(preview) == _keys(sent.get(person.pk)), person
    # A viewer of every transition, with nothing addressed to them, reads nothing more.
    # Memberships, the transitions they lead, tasks, ops members, criteria, runbooks,
    # alerts, dashboards, preferences.
    with django_assert_max_num_queries(9):
        assert services.preview_for(viewer.pk, today=TODAY) == (None, "")
