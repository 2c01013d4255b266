"""The activity feed tells each kind of change as a sentence a person reads, with
values as the pages show them and a link to the thing changed while it exists."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.activity import Change, quote
from apps.core.templatetags.transition_tags import ago
from apps.projects import activity, services
from apps.projects.models import Phase, Role, Task
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 1)


def sentences(project, **filters) -> list[str]:
    return [e.sentence for e in activity.recent(project, today=TODAY, **filters).entries]


def newest(project):
    return activity.recent(project, today=TODAY).entries[0]


@pytest.fixture
def helena(project):
    user = factories.UserFactory(full_name="Helena Novak")
    factories.MembershipFactory(project=project, user=user, role=Role.OPS)
    return user


@pytest.fixture
def bob(project):
    user = factories.UserFactory(full_name="Bob Builder")
    factories.MembershipFactory(project=project, user=user, role=Role.CONTRIBUTOR)
    return user


def test_a_sign_off_says_who_signed_off_what(project, helena):
    criterion = factories.CriterionFactory(project=project, statement="Monitoring is verified")
    services.criterion_sign_off(
        criterion=criterion, by=helena, role=Role.OPS, comment="", as_ops=False, now=timezone.now()
    )
    entry = newest(project)
    assert entry.sentence == "Helena Novak signed off “Monitoring is verified”"
    assert entry.kind == "sign-offs"
    assert entry.link == reverse("projects:detail", args=[project.pk]) + (
        f"?criterion={criterion.pk}#criterion-{criterion.pk}"
    )


def test_a_revocation_is_one_sentence_with_its_reason(project, helena):
    criterion = factories.CriterionFactory(project=project, statement="Monitoring is verified")
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=helena)
    services.signoff_revoke(
        signoff=signoff, by=helena, reason="The pager test failed.", now=timezone.now()
    )
    assert sentences(project)[0] == (
        "Helena Novak revoked their sign-off of “Monitoring is verified”: The pager test failed."
    )
    assert "→" not in sentences(project)[0]


def test_a_revocation_by_someone_else_names_the_signer(project, lead, helena):
    criterion = factories.CriterionFactory(project=project, statement="Backups restore")
    signoff = factories.SignOffFactory(criterion=criterion, signed_by=helena)
    services.signoff_revoke(signoff=signoff, by=lead, reason="Wrong team.", now=timezone.now())
    assert sentences(project)[0] == (
        f"{lead.display_name} revoked Helena Novak's sign-off of “Backups restore”: Wrong team."
    )


def test_editing_a_signed_statement_says_it_voided_the_sign_off(project, lead, helena):
    criterion = factories.CriterionFactory(project=project, statement="Backups restore")
    factories.SignOffFactory(criterion=criterion, signed_by=helena)
    criterion.statement = "Backups restore within an hour"
    services.criterion_save(criterion=criterion, by=lead, now=timezone.now())
    told = sentences(project)[:2]
    assert (
        f"{lead.display_name} voided Helena Novak's sign-off of “Backups restore”"
        in told[0] + told[1]
    )
    assert any(
        "reworded the acceptance criterion “Backups restore within an hour” (was “Backups restore”)"
        in s
        for s in told
    )


def test_a_phase_move_says_from_where_to_where(project, lead):
    project.phase = Phase.READINESS
    project._history_user = lead
    project.save()
    services.project_change_phase(project=project, to=Phase.PLANNING, by=lead)
    assert sentences(project)[0] == (
        f"{lead.display_name} moved the transition from Readiness to Planning"
    )
    assert newest(project).link == reverse("projects:detail", args=[project.pk])
    assert newest(project).kind == "transition"


def test_a_task_change_lists_each_field_in_words(project, lead, bob):
    anna = factories.UserFactory(full_name="Anna Smith")
    task = factories.TaskFactory(
        project=project, title="X", owner=anna, due_date=dt.date(2026, 5, 3)
    )
    task.due_date = dt.date(2026, 5, 10)
    task.owner = bob
    services.task_save(task=task, by=bob, now=timezone.now())
    assert sentences(project)[0] == (
        "Bob Builder changed the task “X”: owner Anna Smith → Bob Builder, due date 3 May → 10 May"
    )
    assert newest(project).link.endswith(f"#task-{task.pk}")


def test_a_value_set_for_the_first_time_is_set_not_arrowed_from_a_dash(project, lead):
    team = factories.TeamFactory(name="Platform Ops")
    services.project_update(project_id=project.pk, changes={"ops_team": team}, by=lead)
    told = sentences(project)[0]
    assert told == (
        f"{lead.display_name} changed the transition: "
        "set the receiving operations team to Platform Ops"
    )
    assert "—" not in told


def test_a_status_change_reads_as_marking_the_task(project, contributor):
    task = factories.TaskFactory(project=project, title="Write the runbook")
    now = timezone.now()
    services.task_set_status(task=task, status=Task.Status.DONE, by=contributor, now=now)
    entry = newest(project)
    assert (
        entry.sentence == f"{contributor.display_name} marked the task “Write the runbook” as Done"
    )
    # The transition page finds the task's tab and page (test_transition_experience).
    assert entry.link.endswith(f"?task={task.pk}#task-{task.pk}")


def test_a_deleted_task_is_named_but_not_linked(project, lead):
    task = factories.TaskFactory(project=project, title="Old task")
    services.task_delete(task=task, by=lead)
    entries = activity.recent(project, today=TODAY).entries
    assert entries[0].sentence == f"{lead.display_name} deleted the task “Old task”"
    assert all(not e.link for e in entries if "Old task" in e.target)


def test_withdrawing_and_restoring_a_criterion(project, lead):
    criterion = factories.CriterionFactory(project=project, statement="DR tested")
    services.criterion_withdraw(
        criterion=criterion, by=lead, reason="Out of scope now.", now=timezone.now()
    )
    entry = newest(project)
    assert entry.sentence == (
        f"{lead.display_name} withdrew the acceptance criterion “DR tested”: Out of scope now."
    )
    assert entry.link.endswith(f"#withdrawn-{criterion.pk}")
    services.criterion_restore(criterion=criterion, by=lead)
    assert (
        sentences(project)[0]
        == f"{lead.display_name} restored the acceptance criterion “DR tested”"
    )


def test_members_added_re_roled_and_removed(project, lead):
    carol = factories.UserFactory(full_name="Carol Jones")
    membership = services.membership_add(project=project, user=carol, role=Role.VIEWER, by=lead)
    assert sentences(project)[0] == f"{lead.display_name} added Carol Jones as Viewer"
    assert newest(project).link == reverse("projects:members", args=[project.pk])
    services.membership_set(project=project, user=carol, role=Role.OPS, by=lead)
    assert sentences(project)[0] == (
        f"{lead.display_name} changed the role of Carol Jones from Viewer to Operations"
    )
    membership.refresh_from_db()
    services.membership_remove(membership=membership, by=lead)
    entry = newest(project)
    assert entry.sentence == f"{lead.display_name} removed Carol Jones from the transition"
    assert entry.link == ""  # the membership is gone


def test_a_long_statement_is_shortened_at_a_word_not_mid_word(project):
    statement = "Every critical alert has fired and resolved in staging " * 4
    factories.CriterionFactory(project=project, statement=statement)
    target = newest(project).target
    assert target.endswith("…”")
    assert target[:-2].split()[-1] in statement.split()  # a whole word before the ellipsis


def test_changes_made_by_no_one_are_by_the_system(project):
    factories.TaskFactory(project=project, title="Imported")
    assert newest(project).who == "System"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (5, "just now"),
        (-30, "just now"),
        (60, "1 minute ago"),
        (59 * 60, "59 minutes ago"),
        (2 * 3600, "2 hours ago"),
        (3 * 86400, "3 days ago"),
        (40 * 86400, "22 Mar 2026"),
    ],
)
def test_times_read_as_how_long_ago(seconds, said):
    now = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    assert ago(now - dt.timedelta(seconds=seconds), now) == said


def test_quotes_keep_one_line():
    assert quote("Two\nlines") == "“Two lines”"


@pytest.mark.parametrize(
    ("old", "new", "clause"),
    [
        (None, "10 May", "set the due date to 10 May"),
        ("3 May", None, "cleared the due date (was 3 May)"),
        ("3 May", "10 May", "due date 3 May → 10 May"),
    ],
)
def test_a_change_clause_never_shows_a_dash_for_an_empty_value(old, new, clause):
    f = Task._meta.get_field("due_date")
    assert Change(f, old, new, old or "", new or "").clause() == clause
