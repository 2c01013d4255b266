"""One definition of "the statement changed", for voiding a sign-off and for refusing a
sign-off form opened before the change: both paths agree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.projects.models import AcceptanceCriterion, SignOff, normalised_statement
from tests import factories
from tests.projects.db_state import form_data

pytestmark = pytest.mark.django_db

ORIGINAL = "Runbook accepted by ops.\nEvery scenario walked through."
WHITESPACE_ONLY = [
    "Runbook  accepted by ops.\nEvery scenario walked through.",
    "Runbook accepted by ops.\r\nEvery scenario walked through.",
    "Runbook accepted by ops. Every scenario walked through.",
    "  Runbook accepted by ops.\n\n\tEvery scenario walked through.  ",
]
REAL_CHANGES = [
    "Runbook accepted by ops.\nEvery scenario rehearsed.",
    "Runbook accepted by Ops.\nEvery scenario walked through.",
    "Runbook accepted by ops. Every scenario walked through!",
]


def _edit(client, project, criterion, statement):
    url = reverse("projects:criterion-edit", args=[project.pk, criterion.pk])
    return client.post(url, form_data(client.get(url), statement=statement), follow=True)


def _sign(client, project, criterion, digest):
    return client.post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "", "statement_digest": digest},
        HTTP_HX_REQUEST="true",
    )


@pytest.mark.parametrize("statement", WHITESPACE_ONLY)
def test_a_whitespace_only_edit_keeps_the_sign_off(client_as, lead, ops, project, statement):
    criterion = factories.CriterionFactory(project=project, statement=ORIGINAL)
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=ops)
    response = _edit(client_as(lead), project, criterion, statement)
    assert "Acceptance criterion updated." in response.content.decode()
    signoff.refresh_from_db()
    assert signoff.is_active


@pytest.mark.parametrize("statement", WHITESPACE_ONLY)
def test_a_sign_off_form_opened_before_a_whitespace_only_edit_still_signs(
    client_as, lead, ops, project, statement
):
    criterion = factories.CriterionFactory(project=project, statement=ORIGINAL)
    read = criterion.statement_digest
    _edit(client_as(lead), project, criterion, statement)
    response = _sign(client_as(ops), project, criterion, read)
    assert "Signed off" in response.content.decode()
    assert SignOff.objects.active().filter(criterion=criterion).exists()


@pytest.mark.parametrize("statement", REAL_CHANGES)
def test_a_real_edit_voids_the_sign_off_and_refuses_a_form_opened_before(
    client_as, lead, ops, project, statement
):
    criterion = factories.CriterionFactory(project=project, statement=ORIGINAL)
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=ops)
    read = criterion.statement_digest
    response = _edit(client_as(lead), project, criterion, statement)
    assert "its sign-off is void" in response.content.decode()
    signoff.refresh_from_db()
    assert not signoff.is_active
    refused = _sign(client_as(ops), project, criterion, read)
    assert "The statement changed after you opened the page" in refused.content.decode()
    assert not SignOff.objects.active().filter(criterion=criterion).exists()


@pytest.mark.parametrize("statement", [ORIGINAL, *WHITESPACE_ONLY, *REAL_CHANGES])
def test_the_digest_and_the_void_check_share_one_definition(statement):
    before = AcceptanceCriterion(statement=ORIGINAL)
    after = AcceptanceCriterion(statement=statement)
    changed = normalised_statement(before.statement) != normalised_statement(after.statement)
    assert changed == (before.statement_digest != after.statement_digest)
    assert changed == (statement in REAL_CHANGES)
