"""The database has the last word: invalid rows are refused even around the forms, and
sign-offs (evidence) are never deleted by a cascade."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from apps.projects import services
from apps.projects.guard import ActionRefused
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)
from tests import factories
from tests.projects.db_state import snapshot

pytestmark = pytest.mark.django_db


def _refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_transition_in_an_unknown_phase_cannot_be_stored(lead):
    _refused_by_the_database(
        lambda: Project.objects.bulk_create([Project(name="X", lead=lead, phase="bogus")])
    )


def test_a_transition_cannot_be_moved_to_an_unknown_phase_around_the_rules(project):
    _refused_by_the_database(lambda: Project.objects.filter(pk=project.pk).update(phase="bogus"))
    assert Project.objects.get(pk=project.pk).phase == Phase.PLANNING


def test_a_member_with_an_unknown_role_cannot_be_stored(project, outsider):
    _refused_by_the_database(
        lambda: Membership.objects.bulk_create(
            [Membership(project=project, user=outsider, role="owner")]
        )
    )
    _refused_by_the_database(
        lambda: Membership.objects.filter(project=project).update(role="owner")
    )


@pytest.mark.parametrize(("field", "value"), [("status", "finished"), ("area", "bogus")])
def test_a_task_with_an_unknown_status_or_area_cannot_be_stored(project, field, value):
    task = Task(project=project, title="X", due_date=timezone.localdate(), **{field: value})
    _refused_by_the_database(lambda: Task.objects.bulk_create([task]))


@pytest.mark.parametrize(
    ("model", "field", "values"),
    [
        (Project, "phase", Phase.values),
        (Membership, "role", Role.values),
        (Task, "status", Task.Status.values),
        (Task, "area", Task.Area.values),
    ],
)
def test_every_listed_choice_can_be_stored(model, field, values, project):
    row = {Project: project, Membership: project.memberships.first()}.get(model)
    if row is None:
        row = factories.TaskFactory(project=project)
    for value in values:
        extra = {}
        if model is Task and field == "status":
            extra["completed_at"] = timezone.now() if value == Task.Status.DONE else None
        model.objects.filter(pk=row.pk).update(**{field: value}, **extra)


# Sign-offs are evidence: no cascade deletes them -------------------------------------------


@pytest.fixture
def revoked_signoff(project, ops):
    criterion = factories.CriterionFactory(project=project, statement="Alerts reach ops.")
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=ops)
    services.signoff_revoke(
        signoff=signoff, by=ops, reason="Alert never fired.", now=timezone.now()
    )
    return signoff


def test_a_criterion_with_sign_offs_cannot_be_deleted_even_around_the_services(revoked_signoff):
    with pytest.raises(ProtectedError):
        revoked_signoff.criterion.delete()
    assert SignOff.objects.filter(pk=revoked_signoff.pk).exists()


def test_a_transition_with_sign_offs_cannot_be_deleted_even_around_the_services(
    project, revoked_signoff
):
    with pytest.raises(ProtectedError):
        project.delete()
    assert SignOff.objects.filter(pk=revoked_signoff.pk).exists()


def test_a_criterion_whose_sign_off_was_revoked_cannot_be_deleted(
    client_as, contributor, project, revoked_signoff
):
    criterion = revoked_signoff.criterion
    before = snapshot()
    response = client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk]), follow=True
    )
    html = response.content.decode()
    assert "kept as evidence" in html
    assert AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()
    assert snapshot() == before


def test_the_service_refuses_to_delete_a_criterion_with_sign_offs(lead, revoked_signoff):
    before = snapshot()
    with pytest.raises(ActionRefused, match="kept as evidence"):
        services.criterion_delete(criterion=revoked_signoff.criterion, by=lead)
    assert snapshot() == before


def test_a_criterion_never_signed_can_still_be_deleted(lead, project):
    criterion = factories.CriterionFactory(project=project)
    services.criterion_delete(criterion=criterion, by=lead)
    assert not AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()
