"""The summary row stays exact: after every kind of write through the services, when
the date moves on (refresh_stale), and when computed in bulk (compute_many)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from apps.projects import services, summary
from apps.projects import tasks as project_tasks
from apps.projects.models import Phase, Project, ProjectSummary, Role, SignOff, Task
from tests import factories
from tests.runbooks.complete import every_gate_passing

pytestmark = pytest.mark.django_db


def as_row(row: ProjectSummary) -> dict:
    """The row's values as the database keeps them (the gates as JSON)."""
    return json.loads(json.dumps(model_to_dict(row), default=str))


def assert_exact(project: Project) -> None:
    stored = ProjectSummary.objects.get(project=project)
    assert stored.computed_on == timezone.localdate()
    fresh = summary.compute(Project.objects.get(pk=project.pk), today=stored.computed_on)
    assert as_row(stored) == as_row(fresh)


def garble(project: Project) -> None:
    """Make the stored row wrong, so that only a recomputation can make it exact."""
    ProjectSummary.objects.filter(project=project).update(
        tasks_total=999, tasks_done=998, tasks_overdue=997, criteria_total=99, readiness_score=1
    )


@pytest.fixture
def now():
    return timezone.now()


# After each kind of write ---------------------------------------------------------------


def test_a_task_status_change_keeps_the_summary_exact(project, lead, now):
    task = factories.TaskFactory(project=project)
    garble(project)
    services.task_set_status(task=task, status=Task.Status.DONE, by=lead, now=now)
    assert_exact(project)
    assert ProjectSummary.objects.get(project=project).tasks_done == 1
    garble(project)
    services.task_set_status(task=task, status=Task.Status.BLOCKED, by=lead, now=now)
    assert_exact(project)


def test_saving_and_deleting_a_task_keeps_the_summary_exact(project, lead, now):
    task = Task(
        project=project, title="Rehearse failover", owner=lead, due_date=dt.date(2001, 1, 1)
    )
    garble(project)
    services.task_save(task=task, by=lead, now=now)
    assert_exact(project)
    assert ProjectSummary.objects.get(project=project).tasks_overdue == 1
    garble(project)
    services.task_delete(task=task, by=lead)
    assert_exact(project)


def test_a_sign_off_and_its_revocation_keep_the_summary_exact(project, lead, ops, now):
    every_gate_passing(project, lead, ops)  # the other gates pass: the sign-off decides
    criterion = factories.CriterionFactory(project=project)
    garble(project)
    signoff = services.criterion_sign_off(
        criterion=criterion, by=ops, role=Role.OPS, comment="", as_ops=False, now=now
    )
    assert_exact(project)
    stored = ProjectSummary.objects.get(project=project)
    assert (stored.criteria_signed, stored.ready) == (1, True)
    garble(project)
    services.signoff_revoke(signoff=signoff, by=ops, reason="Restore failed.", now=now)
    assert_exact(project)
    assert ProjectSummary.objects.get(project=project).criteria_signed == 0


def test_editing_a_signed_statement_voids_and_keeps_the_summary_exact(project, lead, ops, now):
    criterion = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    criterion.statement = "Backups restore within an hour."
    garble(project)
    services.criterion_save(criterion=criterion, by=lead, now=now)
    assert_exact(project)
    assert ProjectSummary.objects.get(project=project).criteria_signed == 0


def test_adding_and_deleting_a_criterion_keeps_the_summary_exact(project, lead, now):
    criterion = factories.CriterionFactory.build(project=project)
    garble(project)
    services.criterion_save(criterion=criterion, by=lead, now=now)
    assert_exact(project)
    assert ProjectSummary.objects.get(project=project).criteria_total == 1
    garble(project)
    services.criterion_delete(criterion=criterion, by=lead)
    assert_exact(project)


def test_membership_changes_keep_the_summary_exact(project, lead):
    newcomer = factories.UserFactory()
    garble(project)
    services.membership_add(project=project, user=newcomer, role=Role.OPS, by=lead)
    assert_exact(project)
    garble(project)
    services.membership_set(project=project, user=newcomer, role=Role.VIEWER, by=lead)
    assert_exact(project)
    membership = project.memberships.get(user=newcomer)
    garble(project)
    services.membership_remove(membership=membership, by=lead)
    assert_exact(project)


def test_a_phase_move_keeps_the_summary_exact(project, lead):
    garble(project)
    services.project_change_phase(project=project, to=Phase.READINESS, by=lead)
    assert_exact(project)


def test_moving_go_live_recounts_the_tasks_due_by_it(project, lead):
    go_live = project.go_live_date
    factories.TaskFactory(project=project, due_date=go_live + dt.timedelta(days=10))
    before = summary.gate_results(ProjectSummary.objects.get(project=project))[0]
    assert not any("tasks due by go-live" in f.sentence for f in before.findings)
    services.project_update(
        project_id=project.pk, changes={"go_live_date": go_live + dt.timedelta(days=20)}, by=lead
    )
    assert_exact(project)
    after = summary.gate_results(ProjectSummary.objects.get(project=project))[0]
    assert "1 of 1 tasks due by go-live are not done." in [f.sentence for f in after.findings]


def test_a_refused_write_leaves_the_summary_as_it_was(project, lead):
    project.phase = Phase.CANCELLED
    project.save()
    summary.refresh(project.pk)
    before = as_row(ProjectSummary.objects.get(project=project))
    task = Task(project=project, title="Too late", owner=lead, due_date=dt.date(2030, 1, 1))
    with pytest.raises(services.ActionRefused):
        services.task_save(task=task, by=lead, now=timezone.now())
    assert as_row(ProjectSummary.objects.get(project=project)) == before


# What changes with the date alone -------------------------------------------------------


def test_refresh_stale_recomputes_only_rows_from_earlier_days(lead):
    today = timezone.localdate()
    stale, current, missing = factories.ProjectFactory.create_batch(3, lead=lead)
    for project in (stale, current, missing):
        factories.TaskFactory(project=project, due_date=today - dt.timedelta(days=1))
    ProjectSummary.objects.filter(project=stale).update(
        computed_on=today - dt.timedelta(days=1), tasks_overdue=0
    )
    ProjectSummary.objects.filter(project=current).update(tasks_overdue=42)
    ProjectSummary.objects.filter(project=missing).delete()

    assert summary.refresh_stale(today=today) == 2

    assert_exact(stale)
    assert_exact(missing)
    untouched = ProjectSummary.objects.get(project=current)
    assert (untouched.tasks_overdue, untouched.computed_on) == (42, today)


def test_a_task_due_today_counts_as_overdue_after_midnight(project):
    today = timezone.localdate()
    factories.TaskFactory(project=project, due_date=today)
    assert ProjectSummary.objects.get(project=project).tasks_overdue == 0
    tomorrow = today + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(1)), tick=False):
        assert summary.refresh_stale(today=timezone.localdate()) == 1
        stored = ProjectSummary.objects.get(project=project)
        assert (stored.computed_on, stored.tasks_overdue) == (tomorrow, 1)
        assert summary.refresh_stale(today=timezone.localdate()) == 0


def test_the_page_never_shows_yesterdays_counts_before_the_job_runs(project):
    today = timezone.localdate()
    factories.TaskFactory(project=project, due_date=today)
    stored = Project.objects.select_related("summary").get(pk=project.pk)
    tomorrow = today + dt.timedelta(days=1)
    assert summary.current(stored, today=tomorrow).tasks_overdue == 1
    assert summary.current(stored, today=today).tasks_overdue == 0


def test_the_command_and_the_celery_task_run_the_same_code(monkeypatch, project):
    calls = []
    original = summary.refresh_stale

    def recording(*, today, **options):
        calls.append(today)
        return original(today=today, **options)

    monkeypatch.setattr(summary, "refresh_stale", recording)
    call_command("refresh_summaries", stdout=io.StringIO())
    assert project_tasks.refresh_summaries() == "0 summaries refreshed"
    assert calls == [timezone.localdate(), timezone.localdate()]


def test_the_command_recomputes_everything_with_all(project, capsys):
    garble(project)
    call_command("refresh_summaries", "--all")
    assert "1 summaries refreshed" in capsys.readouterr().out
    assert_exact(project)


# In bulk --------------------------------------------------------------------------------


def test_compute_many_gives_what_compute_gives(lead, ops):
    today = timezone.localdate()
    empty = factories.ProjectFactory(go_live_date=None)
    undated = factories.ProjectFactory(go_live_date=None)
    factories.TaskFactory(project=undated, due_date=today - dt.timedelta(days=3))
    busy = factories.ProjectFactory()
    factories.TaskFactory(project=busy, due_date=busy.go_live_date + dt.timedelta(days=1))
    factories.TaskFactory(project=busy, status="done", completed_at=timezone.now())
    factories.TaskFactory(project=busy, status="blocked", due_date=today - dt.timedelta(days=1))
    signed = factories.CriterionFactory(project=busy)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    revoked = factories.CriterionFactory(project=busy)
    factories.SignOffFactory(
        criterion=revoked,
        signed_by=ops,
        revoked_at=timezone.now(),
        revoked_by=ops,
        revoke_reason="No longer holds.",
    )
    ready = factories.ProjectFactory()
    factories.SignOffFactory(criterion=factories.CriterionFactory(project=ready), signed_by=ops)
    projects = [empty, undated, busy, ready]

    bulk = summary.compute_many(projects, today=today)

    assert [as_row(row) for row in bulk] == [
        as_row(summary.compute(p, today=today)) for p in projects
    ]
    assert SignOff.objects.filter(criterion__project=busy).count() == 2
