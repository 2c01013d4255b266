"""The sweep: one digest per person per day, sent once, retried with backoff."""

import datetime as dt
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from apps.projects.models import Membership, Role
from apps.reminders import services
from apps.reminders.models import DigestLog, DigestStatus
from tests import factories
from tests.reminders.conftest import NOW, TODAY, days

pytestmark = pytest.mark.django_db

FAILING = "tests.reminders.test_sweep.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def overdue_work(project, contributor, ops):
    """Two people with something to say: the contributor (a task 2 days late) and ops
    (a criterion to sign, due tomorrow)."""
    task = factories.TaskFactory(
        project=project, owner=contributor, title="Write the runbook", due_date=days(-2)
    )
    criterion = factories.CriterionFactory(
        project=project, statement="Alerts reach ops.", due_date=days(1), expected_signer=ops
    )
    return task, criterion


def test_a_sweep_sends_one_digest_to_each_person_with_something_to_say(
    overdue_work, project, contributor, ops
):
    task, _criterion = overdue_work
    report = services.sweep(today=TODAY, now=NOW)

    assert sorted(m.to[0] for m in mail.outbox) == [contributor.email, ops.email]
    to_contributor = next(m for m in mail.outbox if m.to == [contributor.email])
    assert to_contributor.subject == "Reminders for Payments platform: 1 overdue"
    link = f"https://transition.example.org/p/{project.pk}/?task={task.pk}#task-{task.pk}"
    assert link in to_contributor.body
    assert link in to_contributor.alternatives[0][0]
    assert len(report.sent) == 2
    log = DigestLog.objects.get(recipient=contributor)
    assert (log.status, log.attempts, log.sent_at, log.item_keys) == (
        DigestStatus.SENT,
        1,
        NOW,
        [f"task:{task.pk}"],
    )
    assert list(log.projects.all()) == [project]


def test_nothing_to_say_sends_nothing(project):
    report = services.sweep(today=TODAY, now=NOW)
    assert mail.outbox == []
    assert report.sent == []
    assert not DigestLog.objects.exists()


def test_a_second_sweep_the_same_day_sends_nothing_twice(overdue_work):
    services.sweep(today=TODAY, now=NOW)
    again = services.sweep(today=TODAY, now=NOW + dt.timedelta(hours=2))
    assert len(mail.outbox) == 2
    assert (again.sent, again.skipped) == ([], 2)


def test_the_next_day_sends_again(overdue_work):
    services.sweep(today=TODAY, now=NOW)
    services.sweep(today=days(1), now=NOW + dt.timedelta(days=1))
    assert len(mail.outbox) == 4


def test_a_dry_run_sends_and_records_nothing(overdue_work):
    report = services.sweep(today=TODAY, now=NOW, dry_run=True)
    assert len(report.plan.digests) == 2
    assert mail.outbox == []
    assert not DigestLog.objects.exists()


def test_reminders_stop_the_moment_the_item_is_done(overdue_work, contributor):
    task, _ = overdue_work
    task.status = "done"
    task.completed_at = NOW
    task.save()
    services.sweep(today=TODAY, now=NOW)
    assert contributor.email not in [m.to[0] for m in mail.outbox]


def test_an_owner_who_left_the_transition_is_not_told_the_lead_is(overdue_work, contributor, lead):
    Membership.objects.filter(user=contributor).delete()
    services.sweep(today=TODAY, now=NOW)
    assert contributor.email not in [m.to[0] for m in mail.outbox]
    to_lead = next(m for m in mail.outbox if m.to == [lead.email])
    assert "no longer a member of the transition" in to_lead.body


def test_a_failed_send_is_retried_after_the_backoff_and_delivered_once(settings, overdue_work):
    settings.EMAIL_BACKEND = FAILING
    first = services.sweep(today=TODAY, now=NOW)
    assert len(first.failed) == 2
    assert mail.outbox == []
    log = DigestLog.objects.first()
    assert (log.status, log.attempts, log.next_attempt_at) == (
        DigestStatus.FAILED,
        1,
        NOW + dt.timedelta(minutes=15),
    )
    assert "SMTPServerDisconnected" in log.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Not before the backoff has passed, not by the day's sweep run again either.
    assert services.retry_failed(today=TODAY, now=NOW + dt.timedelta(minutes=10)) is None
    assert services.sweep(today=TODAY, now=NOW + dt.timedelta(minutes=10)).sent == []
    retried = services.retry_failed(today=TODAY, now=NOW + dt.timedelta(minutes=16))
    assert len(retried.sent) == 2
    assert services.retry_failed(today=TODAY, now=NOW + dt.timedelta(hours=5)) is None
    assert len(mail.outbox) == 2
    assert set(DigestLog.objects.values_list("status", "attempts", "last_error")) == {
        (DigestStatus.SENT, 2, "")
    }


def test_the_backoff_doubles_and_gives_up_at_the_limit(settings, overdue_work, contributor):
    settings.EMAIL_BACKEND = FAILING
    now = NOW
    waits = []
    for _ in range(settings.REMINDERS_MAX_ATTEMPTS):
        services.sweep(today=TODAY, now=now)
        log = DigestLog.objects.get(recipient=contributor)
        if log.next_attempt_at:
            waits.append(log.next_attempt_at - now)
            now = log.next_attempt_at
    assert waits == [dt.timedelta(minutes=15), dt.timedelta(minutes=30)]
    assert log.given_up
    assert log.attempts == settings.REMINDERS_MAX_ATTEMPTS
    assert services.retry_failed(today=TODAY, now=now + dt.timedelta(days=1)) is None


def test_a_claim_left_by_a_crashed_sweep_is_sent_only_after_it_expires(overdue_work, contributor):
    # The process died after claiming, before sending (or before marking sent).
    DigestLog.objects.create(
        recipient=contributor,
        digest_date=TODAY,
        status=DigestStatus.CLAIMED,
        claim_token="dead",
        claimed_at=NOW,
        attempts=1,
    )
    services.sweep(today=TODAY, now=NOW + dt.timedelta(minutes=10))
    assert contributor.email not in [m.to[0] for m in mail.outbox]
    services.sweep(today=TODAY, now=NOW + services.CLAIM_EXPIRES + dt.timedelta(minutes=1))
    assert [m.to[0] for m in mail.outbox].count(contributor.email) == 1
    assert DigestLog.objects.get(recipient=contributor).attempts == 2


@pytest.mark.parametrize("n", [3, 30])
def test_a_sweep_costs_the_same_queries_whatever_the_number_of_items(
    django_assert_max_num_queries, project, contributor, ops, n
):
    for _ in range(n):
        factories.TaskFactory(project=project, owner=contributor, due_date=days(-1))
        factories.CriterionFactory(project=project, due_date=days(1), expected_signer=ops)
    with django_assert_max_num_queries(16):
        report = services.sweep(today=TODAY, now=NOW)
    assert len(report.sent) == 2
    assert len(mail.outbox[0].body.splitlines()) > n


@pytest.mark.parametrize("n", [3, 30])
def test_a_sweep_costs_the_same_queries_whatever_the_number_of_recipients(
    django_assert_max_num_queries, project, n
):
    for _ in range(n):
        owner = factories.UserFactory()
        factories.MembershipFactory(project=project, user=owner, role=Role.CONTRIBUTOR)
        factories.TaskFactory(project=project, owner=owner, due_date=days(-1))
    with django_assert_max_num_queries(16):
        report = services.sweep(today=TODAY, now=NOW)
    assert len(report.sent) == n


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_digest_once(project, contributor, ops):
    for owner in (contributor, ops):
        factories.TaskFactory(project=project, owner=owner, due_date=days(-1))
    more = []
    for _ in range(8):
        owner = factories.UserFactory()
        factories.MembershipFactory(project=project, user=owner, role=Role.CONTRIBUTOR)
        factories.TaskFactory(project=project, owner=owner, due_date=days(-1))
        more.append(owner)
    start = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            reports.append(services.sweep(today=TODAY, now=NOW))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 10
    assert len(set(recipients)) == 10
    assert sum(len(r.sent) for r in reports) == 10
    assert DigestLog.objects.filter(status=DigestStatus.SENT).count() == 10


def test_a_failed_digest_with_nothing_left_to_say_is_not_retried(settings, overdue_work, ops):
    settings.EMAIL_BACKEND = FAILING
    services.sweep(today=TODAY, now=NOW)
    _, criterion = overdue_work
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    services.retry_failed(today=TODAY, now=NOW + dt.timedelta(minutes=16))

    assert [m.to[0] for m in mail.outbox] == [overdue_work[0].owner.email]
    log = DigestLog.objects.get(recipient=ops)
    assert log.status == DigestStatus.FAILED
    assert log.given_up
    assert log.last_error.endswith("nothing is overdue or due soon for them any more)")
    assert services.retry_failed(today=TODAY, now=NOW + dt.timedelta(hours=3)) is None


def test_a_transition_s_own_escalation_threshold_reaches_the_lead_s_email(
    overdue_work, project, lead, contributor
):
    """The contributor's task is 2 days late: under the site's 5 days nobody escalates;
    with the transition's own threshold of 1 day, the lead is told and the email says so."""
    services.sweep(today=TODAY, now=NOW)
    assert lead.email not in [m.to[0] for m in mail.outbox]

    DigestLog.objects.all().delete()
    mail.outbox.clear()
    project.escalate_after_days = 1
    project.save()
    services.sweep(today=TODAY, now=NOW)
    to_lead = next(m for m in mail.outbox if m.to == [lead.email])
    assert "escalated to you" in to_lead.subject
    assert "overdue more than 1 day]" in to_lead.body
