"""Acceptance criteria: add, edit, delete, and the inline sign-off and revoke."""

import pytest
from django.urls import reverse

from apps.projects.models import (
    AcceptanceCriterion,
    Role,
    SignOff,
)
from tests import factories
from tests.projects.db_state import form_data

pytestmark = pytest.mark.django_db


def test_ops_signs_off_inline_and_sees_the_row(client_as, ops, project, criterion):
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "Walked through it.", "statement_digest": criterion.statement_digest},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="criterion-{criterion.pk}"' in html
    assert "Signed off" in html
    assert SignOff.objects.active().get().comment == "Walked through it."


def test_a_double_click_signs_once(client_as, ops, project, criterion):
    url = reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk])
    client = client_as(ops)
    data = {"comment": "", "statement_digest": criterion.statement_digest}
    client.post(url, data, HTTP_HX_REQUEST="true")
    second = client.post(url, data, HTTP_HX_REQUEST="true")
    html = second.content.decode()
    assert "This criterion is already signed off." in html
    # The refusal is the row's message, not an error of the (unopened) revoke form.
    assert "is-invalid" not in html
    assert SignOff.objects.filter(criterion=criterion).count() == 1


def test_a_lead_must_tick_signing_as_ops(client_as, lead, project, criterion):
    url = reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk])
    data = {"comment": "", "statement_digest": criterion.statement_digest}
    response = client_as(lead).post(url, data, HTTP_HX_REQUEST="true")
    assert "explicitly on behalf of operations" in response.content.decode()
    assert SignOff.objects.count() == 0
    client_as(lead).post(url, {**data, "as_ops": "on"})
    assert SignOff.objects.get().signed_as_ops


def test_revoking_without_a_reason_is_refused(client_as, ops, project, criterion, signoff):
    url = reverse("projects:signoff-revoke", args=[project.pk, criterion.pk, signoff.pk])
    response = client_as(ops).post(url, {"reason": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    signoff.refresh_from_db()
    assert signoff.is_active


def test_revoking_with_a_reason_shows_who_and_why(client_as, ops, project, criterion, signoff):
    url = reverse("projects:signoff-revoke", args=[project.pk, criterion.pk, signoff.pk])
    response = client_as(ops).post(url, {"reason": "Alert never fired."}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Alert never fired." in html
    assert "Awaiting sign-off" in html


def test_editing_a_signed_statement_voids_it_visibly(
    client_as, contributor, project, criterion, signoff
):
    client = client_as(contributor)
    url = reverse("projects:criterion-edit", args=[project.pk, criterion.pk])
    edited = form_data(client.get(url), statement="Runbook accepted and rehearsed.")
    response = client.post(url, {**edited, "due_date": "2027-01-01"}, follow=True)
    html = response.content.decode()
    assert "its sign-off is void" in html
    assert "was voided" in html
    assert "Runbook accepted by ops." in html


def test_a_criterion_needs_a_statement_and_a_due_date(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:criterion-create", args=[project.pk]), {"statement": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"statement", "due_date"}
    assert AcceptanceCriterion.objects.count() == 0


def test_the_expected_signer_must_be_ops_in_this_transition(client_as, lead, viewer, project):
    # The viewer here is ops in another transition: that does not make them ops here.
    factories.MembershipFactory(user=viewer, role=Role.OPS)
    response = client_as(lead).post(
        reverse("projects:criterion-create", args=[project.pk]),
        {
            "statement": "Ops can restart it.",
            "due_date": "2027-01-01",
            "expected_signer": viewer.pk,
        },
    )
    assert "expected_signer" in response.context["form"].errors
    assert AcceptanceCriterion.objects.count() == 0


def test_ops_cannot_sign_a_statement_that_changed_after_the_page_was_loaded(
    client_as, ops, contributor, project
):
    criterion = factories.CriterionFactory(project=project, statement="What ops read.")
    read = criterion.statement_digest
    editor = client_as(contributor)
    url = reverse("projects:criterion-edit", args=[project.pk, criterion.pk])
    editor.post(url, form_data(editor.get(url), statement="Something ops never read."))
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "", "statement_digest": read},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "The statement changed after you opened the page" in html
    assert "Something ops never read." in html  # the row now shows what there is to sign
    assert not SignOff.objects.exists()


def test_a_sign_off_without_the_statement_it_read_is_refused(client_as, ops, project, criterion):
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": ""},
        follow=True,
    )
    assert "reload the page" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_signed_criterion_cannot_be_deleted(client_as, contributor, project, criterion, signoff):
    response = client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk]), follow=True
    )
    assert "kept as evidence: it cannot be deleted" in response.content.decode()
    assert AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()


def test_an_unsigned_criterion_can_be_deleted(client_as, contributor, project):
    criterion = factories.CriterionFactory(project=project)
    client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk])
    )
    assert not AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()
