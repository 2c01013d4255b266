import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.projects import services
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

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_creating_a_transition_makes_the_lead_and_ops_lead_members():
    lead = factories.UserFactory()
    ops_lead = factories.UserFactory()
    project = services.project_create(
        name="Billing",
        lead=lead,
        ops_lead=ops_lead,
        created_by=lead,
        today=dt.date(2026, 11, 1),
        go_live_date=dt.date(2027, 1, 15),
    )
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    assert roles == {lead.pk: Role.LEAD, ops_lead.pk: Role.OPS}


def test_the_standard_template_seeds_tasks_per_area_and_the_five_criteria():
    lead = factories.UserFactory()
    project = services.project_create(
        name="Billing",
        lead=lead,
        created_by=lead,
        today=dt.date(2026, 11, 1),
        blueprint="standard-bau",
        go_live_date=dt.date(2027, 1, 15),
    )
    areas = set(project.tasks.values_list("area", flat=True))
    assert areas >= {"runbook", "monitoring", "support", "knowledge", "hypercare"}
    statements = list(project.criteria.values_list("statement", flat=True))
    assert len(statements) == 5
    assert any("runbook" in s.lower() for s in statements)
    assert any("hypercare exit" in s.lower() for s in statements)
    # Due dates are placed around go-live, and every task has an owner.
    assert project.tasks.filter(owner__isnull=True).count() == 0
    assert project.tasks.filter(due_date__lt=dt.date(2027, 1, 15)).count() == project.tasks.count()


def test_bau_is_refused_while_a_criterion_is_unsigned_and_nothing_changes(project, ops):
    project.phase = Phase.HYPERCARE
    project.save()
    signed = factories.CriterionFactory(project=project)
    factories.CriterionFactory(project=project)
    services.criterion_sign_off(
        criterion=signed, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    with pytest.raises(services.ActionRefused) as refused:
        services.project_change_phase(project=project, to=Phase.BAU, by=project.lead)
    assert refused.value.messages == [
        "1 of 2 acceptance criteria are not signed off by operations."
    ]
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE


def test_bau_is_refused_when_there_is_nothing_to_sign(project):
    project.phase = Phase.HYPERCARE
    project.save()
    assert services.phase_change_blockers(project, Phase.BAU) == [
        "No acceptance criteria are defined: operations has nothing to sign off yet."
    ]


def test_bau_is_allowed_once_every_criterion_is_signed(project, ops):
    project.phase = Phase.HYPERCARE
    project.save()
    criterion = factories.CriterionFactory(project=project)
    services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="ok", as_ops=False, now=NOW
    )
    services.project_change_phase(project=project, to=Phase.BAU, by=project.lead)
    project.refresh_from_db()
    assert project.phase == Phase.BAU


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (Phase.PLANNING, Phase.READINESS, True),
        (Phase.PLANNING, Phase.HYPERCARE, False),
        (Phase.PLANNING, Phase.BAU, False),
        (Phase.READINESS, Phase.PLANNING, True),
        (Phase.READINESS, Phase.HYPERCARE, True),
        (Phase.HYPERCARE, Phase.READINESS, True),
        (Phase.BAU, Phase.HYPERCARE, False),
        (Phase.BAU, Phase.CANCELLED, False),
        (Phase.CANCELLED, Phase.PLANNING, True),
        (Phase.HYPERCARE, Phase.CANCELLED, True),
    ],
)
def test_phase_moves_follow_the_workflow(project, start, to, allowed):
    project.phase = start
    project.save()
    blockers = services.phase_change_blockers(project, to)
    assert (blockers == []) is allowed
    if not allowed:
        assert "cannot move to" in blockers[0]


def test_hypercare_needs_a_go_live_date(project):
    project.phase = Phase.READINESS
    project.go_live_date = None
    project.save()
    assert services.phase_change_blockers(project, Phase.HYPERCARE) == [
        "Set the go-live date before starting hypercare."
    ]


def test_ops_sign_off_keeps_a_snapshot_of_the_statement(project, ops):
    criterion = factories.CriterionFactory(project=project, statement="Runbook accepted.")
    signoff = services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="Walked it.", as_ops=False, now=NOW
    )
    assert signoff.statement_snapshot == "Runbook accepted."
    assert signoff.signed_as_ops is False
    assert AcceptanceCriterion.objects.signed().get() == criterion


def test_a_lead_signs_only_explicitly_as_ops_and_it_is_recorded(project):
    criterion = factories.CriterionFactory(project=project)
    with pytest.raises(services.ActionRefused):
        services.criterion_sign_off(
            criterion=criterion, by=project.lead, role=Role.LEAD, comment="", as_ops=False, now=NOW
        )
    assert SignOff.objects.count() == 0
    signoff = services.criterion_sign_off(
        criterion=criterion, by=project.lead, role=Role.LEAD, comment="", as_ops=True, now=NOW
    )
    assert signoff.signed_as_ops is True


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER, None])
def test_other_roles_cannot_sign_off(project, role):
    criterion = factories.CriterionFactory(project=project)
    with pytest.raises(services.ActionRefused):
        services.criterion_sign_off(
            criterion=criterion, by=project.lead, role=role, comment="", as_ops=True, now=NOW
        )
    assert SignOff.objects.count() == 0


def test_signing_twice_leaves_exactly_one_sign_off(project, ops):
    criterion = factories.CriterionFactory(project=project)
    services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    with pytest.raises(services.ActionRefused, match="already signed off"):
        services.criterion_sign_off(
            criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
        )
    assert SignOff.objects.filter(criterion=criterion).count() == 1


def test_the_database_refuses_a_second_active_sign_off(project, ops):
    criterion = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.SignOffFactory(criterion=criterion, signed_by=ops)


def test_revoking_needs_a_reason_and_keeps_the_sign_off_as_history(project, ops):
    criterion = factories.CriterionFactory(project=project)
    signoff = services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    with pytest.raises(services.ActionRefused):
        services.signoff_revoke(signoff=signoff, by=ops, reason="  ", now=NOW)
    services.signoff_revoke(signoff=signoff, by=ops, reason="Alert never fired.", now=NOW)
    signoff.refresh_from_db()
    assert signoff.revoke_reason == "Alert never fired."
    assert signoff.revoked_by == ops
    assert AcceptanceCriterion.objects.unsigned().get() == criterion
    assert signoff.history.count() == 2  # signed, then revoked
    # Revoking again is refused; a new sign-off is possible.
    with pytest.raises(services.ActionRefused):
        services.signoff_revoke(signoff=signoff, by=ops, reason="again", now=NOW)
    services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    assert SignOff.objects.active().count() == 1


def test_editing_a_signed_statement_voids_the_sign_off(project, ops):
    criterion = factories.CriterionFactory(project=project, statement="Old wording.")
    services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    criterion.verification = "Different evidence."
    assert services.criterion_save(criterion=criterion, by=project.lead, now=NOW) is False
    assert SignOff.objects.active().count() == 1

    criterion.statement = "New wording."
    assert services.criterion_save(criterion=criterion, by=project.lead, now=NOW) is True
    voided = SignOff.objects.get()
    assert voided.voided_at == NOW
    assert voided.statement_snapshot == "Old wording."
    assert AcceptanceCriterion.objects.unsigned().count() == 1


def test_task_status_sets_and_clears_completed_at(project):
    task = factories.TaskFactory(project=project)
    services.task_set_status(task=task, status=Task.Status.DONE, by=project.lead, now=NOW)
    task.refresh_from_db()
    assert task.completed_at == NOW
    services.task_set_status(task=task, status=Task.Status.IN_PROGRESS, by=project.lead, now=NOW)
    task.refresh_from_db()
    assert task.completed_at is None
    with pytest.raises(services.ActionRefused):
        services.task_set_status(task=task, status="finished", by=project.lead, now=NOW)


def test_the_database_keeps_completed_at_in_step_with_status(project):
    task = factories.TaskFactory(project=project)
    task.status = Task.Status.DONE
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()


def test_the_named_lead_cannot_be_removed_or_demoted(project, contributor):
    lead_membership = Membership.objects.get(project=project, user=project.lead)
    with pytest.raises(services.ActionRefused, match="name another lead"):
        services.membership_remove(membership=lead_membership, by=project.lead)
    with pytest.raises(services.ActionRefused, match="name another lead"):
        services.membership_set(
            project=project, user=project.lead, role=Role.VIEWER, by=project.lead
        )
    assert Membership.objects.get(pk=lead_membership.pk).role == Role.LEAD
    # Once someone else is the named lead, the former one can go.
    services.membership_set(project=project, user=contributor, role=Role.LEAD, by=project.lead)
    services.project_update(project_id=project.pk, changes={"lead": contributor}, by=contributor)
    services.membership_remove(membership=lead_membership, by=contributor)
    assert not Membership.objects.filter(pk=lead_membership.pk).exists()


def test_the_last_lead_cannot_be_demoted_even_when_not_named(project, contributor):
    # The named lead's membership was lost (e.g. deleted in the admin).
    Membership.objects.filter(project=project, user=project.lead).delete()
    co_lead = services.membership_set(
        project=project, user=contributor, role=Role.LEAD, by=project.lead
    )
    with pytest.raises(services.ActionRefused, match="at least one lead"):
        services.membership_remove(membership=co_lead, by=project.lead)


def test_overdue_counts_only_open_tasks(project):
    today = timezone.localdate()
    factories.TaskFactory(project=project, due_date=today - dt.timedelta(days=1))
    factories.TaskFactory(
        project=project,
        due_date=today - dt.timedelta(days=1),
        status=Task.Status.DONE,
        completed_at=NOW,
    )
    factories.TaskFactory(project=project, due_date=today)
    assert Task.objects.overdue(today).count() == 1


def test_a_creator_who_is_neither_lead_nor_ops_lead_becomes_a_lead_and_is_recorded():
    lead, ops_lead, creator = factories.UserFactory.create_batch(3)
    project = services.project_create(
        name="Billing",
        lead=lead,
        ops_lead=ops_lead,
        created_by=creator,
        today=dt.date(2026, 11, 1),
    )
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    assert roles == {lead.pk: Role.LEAD, ops_lead.pk: Role.OPS, creator.pk: Role.LEAD}
    authors = set(Membership.history.values_list("history_user_id", flat=True))
    assert authors == {creator.pk}


def test_an_ops_lead_who_creates_the_transition_stays_ops():
    lead, ops_lead = factories.UserFactory.create_batch(2)
    project = services.project_create(
        name="Billing", lead=lead, ops_lead=ops_lead, created_by=ops_lead, today=NOW.date()
    )
    assert Membership.objects.get(project=project, user=ops_lead).role == Role.OPS


def test_a_sign_off_snapshots_the_statement_as_it_stands_when_recorded(project, ops, contributor):
    criterion = factories.CriterionFactory(project=project, statement="Old statement.")
    seen_by_signer = AcceptanceCriterion.objects.get(pk=criterion.pk)
    edited = AcceptanceCriterion.objects.get(pk=criterion.pk)
    edited.statement = "New, stricter statement."
    services.criterion_save(criterion=edited, by=contributor, now=NOW)
    # The signer's copy is stale; what gets recorded is what the criterion says now.
    signoff = services.criterion_sign_off(
        criterion=seen_by_signer, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
    )
    assert signoff.statement_snapshot == "New, stricter statement."
    with pytest.raises(services.ActionRefused, match="statement changed"):
        services.criterion_sign_off(
            criterion=edited,
            by=ops,
            role=Role.OPS,
            comment="",
            as_ops=False,
            now=NOW,
            seen_digest=seen_by_signer.statement_digest,
        )


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_nothing_in_a_closed_transition_changes(project, ops, contributor, phase):
    criterion = factories.CriterionFactory(project=project)
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=ops)
    other = factories.CriterionFactory(project=project)
    Project.objects.filter(pk=project.pk).update(phase=phase)
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.signoff_revoke(signoff=signoff, by=ops, reason="late", now=NOW)
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.criterion_sign_off(
            criterion=other, by=ops, role=Role.OPS, comment="", as_ops=False, now=NOW
        )
    criterion.statement = "Changed after closing."
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.criterion_save(criterion=criterion, by=contributor, now=NOW)
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.membership_set(project=project, user=contributor, role=Role.LEAD, by=ops)
    task = factories.TaskFactory(project=project)
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.task_set_status(task=task, status=Task.Status.DONE, by=contributor, now=NOW)
    task.title = "Renamed after closing"
    with pytest.raises(services.ActionRefused, match="can no longer change"):
        services.task_save(task=task, by=contributor, now=NOW)
    assert SignOff.objects.active().count() == 1
    assert Task.objects.get(pk=task.pk).status == Task.Status.TODO


def test_setting_a_members_role_to_what_it_is_writes_nothing(project, contributor):
    before = Membership.history.count()
    services.membership_set(
        project=project, user=contributor, role=Role.CONTRIBUTOR, by=project.lead
    )
    assert Membership.history.count() == before
