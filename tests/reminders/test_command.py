"""`manage.py send_reminders`: the beat task's twin."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.reminders import tasks
from apps.reminders.models import DigestLog
from tests import factories
from tests.reminders.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_each_digest_and_sends_nothing(project, contributor):
    factories.TaskFactory(project=project, owner=contributor, title="Write it", due_date=days(-1))
    output = run("--dry-run", "--date", TODAY.isoformat())
    assert f"To: {contributor.display_name} <{contributor.email}>" in output
    assert "Subject: Reminders for Payments platform: 1 overdue" in output
    assert "- Write it, due 2026-03-17" in output
    assert mail.outbox == []
    assert not DigestLog.objects.exists()


def test_the_command_sends_once_per_day(project, contributor):
    factories.TaskFactory(project=project, owner=contributor, due_date=days(-1))
    assert "1 sent" in run("--date", TODAY.isoformat())
    assert "0 sent, 0 failed, 1 already handled" in run("--date", TODAY.isoformat())
    assert len(mail.outbox) == 1


def test_a_bad_date_is_refused_with_the_expected_form():
    with pytest.raises(CommandError, match="--date must be a date such as"):
        run("--date", "31/03/2026")


def test_the_task_runs_the_same_sweep(project, contributor):
    factories.TaskFactory(project=project, owner=contributor)  # due in a week: nothing
    assert tasks.send_digests() == (
        "0 sent, 0 failed, 0 already handled, 0 held by preference, 0 undeliverable items"
    )
    assert tasks.retry_digests() == "nothing to retry"


def test_the_command_reports_what_is_held_undeliverable_and_failed(settings, project, contributor):
    from apps.accounts.models import User
    from apps.reminders.models import Frequency, ReminderPreference

    factories.TaskFactory(project=project, owner=contributor, due_date=days(-1))
    ReminderPreference.objects.create(user=contributor, frequency=Frequency.OFF)
    # A criterion nobody can sign, in a transition whose lead has no email address.
    factories.CriterionFactory(project=project, statement="Alerts fire.", due_date=days(-1))
    User.objects.filter(pk=project.lead_id).update(email="")
    output = run("--date", TODAY.isoformat())
    assert f"Held for {contributor.email}: reminders are off" in output
    assert "Undeliverable: Payments platform: Sign off: Alerts fire." in output

    ReminderPreference.objects.all().delete()
    settings.EMAIL_BACKEND = "tests.reminders.test_sweep.FailingBackend"
    output = run("--date", TODAY.isoformat())
    assert f"Failed for {contributor.email}: SMTPServerDisconnected" in output
