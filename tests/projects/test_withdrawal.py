"""Withdrawing a criterion that no longer applies: kept as the record, counted nowhere.

Who may withdraw and restore (editors; a viewer gets 403, an outsider 404) is in the
access matrix (tests/projects/test_access_matrix.py); the checks here are the rules.
"""

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from apps.projects import readiness, services, summary
from apps.projects.guard import ActionRefused
from apps.projects.models import AcceptanceCriterion, Phase, Project, ProjectSummary, SignOff
from tests import factories
from tests.projects.db_state import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


def withdraw_url(criterion: AcceptanceCriterion) -> str:
    return reverse("projects:criterion-withdraw", args=[criterion.project_id, criterion.pk])


def page(client, project: Project) -> str:
    return client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def revoked(criterion: AcceptanceCriterion, ops) -> AcceptanceCriterion:
    """`criterion`, signed by `ops` and then revoked: it has sign-offs, none active."""
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=ops)
    services.signoff_revoke(signoff=signoff, by=ops, reason="It never held.", now=timezone.now())
    return criterion


# Through the page ------------------------------------------------------------------------


def test_a_contributor_withdraws_a_criterion_and_the_page_lists_it_apart(
    client_as, contributor, ops, project, criterion
):
    revoked(criterion, ops)
    client = client_as(contributor)
    response = client.post(
        withdraw_url(criterion), {"reason": "The fax line was decommissioned."}, follow=True
    )
    assert response.status_code == 200
    assert "withdrawn: it no longer counts" in response.content.decode()
    assert response.context["criteria"] == []
    assert response.context["withdrawn"] == [criterion]

    html = page(client, project)
    withdrawn = html[html.index('id="withdrawn-criteria"') :]
    assert "Withdrawn (1)" in withdrawn
    assert "Runbook accepted by ops." in withdrawn
    assert f"Withdrawn by {contributor.display_name}" in withdrawn
    assert "The fax line was decommissioned." in withdrawn
    assert "It never held." in withdrawn  # its sign-off history stays visible
    criterion.refresh_from_db()
    assert criterion.withdrawn_by == contributor
    assert criterion.withdrawn_at is not None


def test_a_viewer_cannot_withdraw(client_as, viewer, project, criterion):
    before = snapshot()
    response = client_as(viewer).post(withdraw_url(criterion), {"reason": "Not needed."})
    assert response.status_code == 403
    assert snapshot() == before


def test_editors_see_the_withdraw_form_on_unsigned_criteria_only(
    client_as, lead, ops, project, criterion
):
    signed = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    assert withdraw_url(criterion) in page(client_as(lead), project)
    assert withdraw_url(criterion) not in page(client_as(ops), project)
    signed_view = client_as(lead).get(
        reverse("projects:detail", args=[project.pk]), {"criteria": "signed"}
    )
    assert withdraw_url(signed) not in signed_view.content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(
    client_as, contributor, project, criterion, reason
):
    before = snapshot()
    response = client_as(contributor).post(withdraw_url(criterion), {"reason": reason}, follow=True)
    assert "Say why the criterion no longer applies." in response.content.decode()
    assert snapshot() == before


def test_the_service_refuses_a_blank_reason_too(contributor, project, criterion, now):
    before = snapshot()
    with pytest.raises(ActionRefused, match="Say why"):
        services.criterion_withdraw(criterion=criterion, by=contributor, reason=" ", now=now)
    assert snapshot() == before


def test_a_signed_off_criterion_is_refused_until_its_sign_off_is_revoked(
    client_as, contributor, project, criterion, signoff
):
    before = snapshot()
    response = client_as(contributor).post(
        withdraw_url(criterion), {"reason": "No longer applies."}, follow=True
    )
    assert "revoke the sign-off first, with a reason" in response.content.decode()
    assert snapshot() == before


def test_a_withdrawn_criterion_cannot_be_withdrawn_again(contributor, project, criterion, now):
    services.criterion_withdraw(criterion=criterion, by=contributor, reason="Gone.", now=now)
    with pytest.raises(ActionRefused, match="already withdrawn"):
        services.criterion_withdraw(criterion=criterion, by=contributor, reason="Again.", now=now)


def test_a_closed_transition_refuses_a_withdrawal(contributor, project, criterion, now):
    Project.objects.filter(pk=project.pk).update(phase=Phase.BAU)
    with pytest.raises(ActionRefused, match="can no longer change"):
        services.criterion_withdraw(criterion=criterion, by=contributor, reason="Gone.", now=now)


def test_the_database_refuses_a_withdrawal_without_a_reason(criterion, now):
    with pytest.raises(IntegrityError):
        AcceptanceCriterion.objects.filter(pk=criterion.pk).update(withdrawn_at=now)


# It counts nowhere -----------------------------------------------------------------------


def test_a_withdrawn_criterion_no_longer_blocks_bau(client_as, lead, ops, contributor, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    accepted = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=accepted, signed_by=ops)
    obsolete = revoked(factories.CriterionFactory(project=project, statement="Fax works."), ops)
    client = client_as(lead)
    phase_url = reverse("projects:phase", args=[project.pk])

    client.post(phase_url, {"phase": Phase.BAU})
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE  # the revoked criterion is unsigned

    services.criterion_withdraw(
        criterion=obsolete, by=contributor, reason="The fax line is gone.", now=timezone.now()
    )
    assert services.phase_change_blockers(project, Phase.BAU) == []
    client.post(phase_url, {"phase": Phase.BAU})
    project.refresh_from_db()
    assert project.phase == Phase.BAU


def test_summary_and_gate_counts_leave_withdrawn_criteria_out(
    contributor, ops, project, criterion, now
):
    signed = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    services.criterion_withdraw(criterion=criterion, by=contributor, reason="Gone.", now=now)

    stored = ProjectSummary.objects.get(project=project)
    assert (stored.criteria_total, stored.criteria_signed, stored.criteria_withdrawn) == (1, 1, 1)
    fresh = summary.compute(project, today=timezone.localdate())
    [bulk] = summary.compute_many([project], today=timezone.localdate())
    for row in (fresh, bulk):
        assert (row.criteria_total, row.criteria_signed, row.criteria_withdrawn) == (1, 1, 1)

    facts = readiness.facts_for(project)
    assert (facts.criteria_total, facts.criteria_signed) == (1, 1)
    assert readiness.facts_for_many([project])[project.pk] == facts
    assert readiness.assess(project, today=timezone.localdate()).passed


def test_my_items_no_longer_asks_for_a_withdrawn_criterion(client_as, ops, contributor, project):
    to_sign = factories.CriterionFactory(project=project)
    obsolete = factories.CriterionFactory(project=project)
    services.criterion_withdraw(
        criterion=obsolete, by=contributor, reason="Gone.", now=timezone.now()
    )
    response = client_as(ops).get(reverse("projects:my-items"))
    assert response.context["criteria"] == [to_sign]


# It cannot change ------------------------------------------------------------------------


def test_a_withdrawn_criterion_cannot_be_signed_off(client_as, ops, contributor, project, now):
    criterion = factories.CriterionFactory(project=project)
    services.criterion_withdraw(criterion=criterion, by=contributor, reason="Gone.", now=now)
    before = snapshot()
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "", "statement_digest": criterion.statement_digest},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "This criterion is withdrawn" in html
    assert "Withdrawn" in html  # the row now says so, without a sign-off form
    assert "statement_digest" not in html
    assert snapshot() == before
    assert not SignOff.objects.filter(criterion=criterion).exists()


def test_a_withdrawn_criterion_cannot_be_edited(client_as, contributor, project, criterion, now):
    services.criterion_withdraw(criterion=criterion, by=contributor, reason="Gone.", now=now)
    before = snapshot()
    url = reverse("projects:criterion-edit", args=[project.pk, criterion.pk])
    client = client_as(contributor)
    response = client.get(url, follow=True)
    assert "This criterion is withdrawn" in response.content.decode()
    response = client.post(url, {"statement": "Changed.", "due_date": "2027-01-01"}, follow=True)
    assert "This criterion is withdrawn" in response.content.decode()
    assert snapshot() == before

    criterion.statement = "Changed."
    with pytest.raises(ActionRefused, match="withdrawn"):
        services.criterion_save(criterion=criterion, by=contributor, now=now)
    assert snapshot() == before


def test_the_delete_refusal_says_to_withdraw_instead(
    client_as, contributor, ops, project, criterion
):
    revoked(criterion, ops)
    response = client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk]), follow=True
    )
    html = response.content.decode()
    assert "kept as evidence: it cannot be deleted" in html
    assert "withdraw it with a reason instead" in html
    assert AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()


# Restoring, and the record ----------------------------------------------------------------


def test_the_history_keeps_who_withdrew_it_and_why_after_a_restore(
    client_as, lead, contributor, project, criterion
):
    client_as(contributor).post(withdraw_url(criterion), {"reason": "Out of scope now."})
    client_as(lead).post(reverse("projects:criterion-restore", args=[project.pk, criterion.pk]))

    criterion.refresh_from_db()
    assert criterion.withdrawn_at is None
    assert criterion.withdraw_reason == ""
    assert ProjectSummary.objects.get(project=project).criteria_withdrawn == 0
    assert list(AcceptanceCriterion.objects.current().unsigned()) == [criterion]
    restored, withdrawn = criterion.history.order_by("-history_date", "-history_id")[:2]
    assert withdrawn.history_user == contributor
    assert withdrawn.withdrawn_by_id == contributor.pk
    assert withdrawn.withdraw_reason == "Out of scope now."
    assert withdrawn.withdrawn_at is not None
    assert restored.history_user == lead
    assert restored.withdrawn_at is None


def test_restoring_a_criterion_that_is_not_withdrawn_is_refused(contributor, criterion):
    with pytest.raises(ActionRefused, match="not withdrawn"):
        services.criterion_restore(criterion=criterion, by=contributor)


# Query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_the_withdrawn_list_costs_one_query_however_long(
    client_as, lead, contributor, ops, project, fill, django_assert_max_num_queries, n
):
    fill(project, 3)
    for i in range(n):
        obsolete = revoked(factories.CriterionFactory(project=project), ops)
        services.criterion_withdraw(
            criterion=obsolete, by=contributor, reason=f"Gone {i}.", now=timezone.now()
        )
    client = client_as(lead)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:detail", args=[project.pk]))
    assert len(response.context["withdrawn"]) == min(n, 25)
    assert f"Withdrawn ({n})" in response.content.decode()
