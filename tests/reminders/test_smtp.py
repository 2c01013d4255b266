"""Digests delivered by the real sweep over a real SMTP conversation (aiosmtpd on loopback)."""

import re

import pytest
from django.test import Client

from apps.reminders import services
from apps.reminders.models import DigestLog, DigestStatus, Frequency, ReminderPreference
from tests import factories
from tests.accounts.test_password_reset_smtp import smtp_inbox  # noqa: F401  (a fixture)
from tests.reminders.conftest import NOW, TODAY, days

pytestmark = pytest.mark.django_db


def test_the_sweep_delivers_digests_over_smtp_with_both_parts_links_and_unsubscribe(
    smtp_inbox,  # noqa: F811
    settings,
    project,
    contributor,
    lead,
):
    task = factories.TaskFactory(
        project=project, owner=contributor, title="Write the runbook", due_date=days(-7)
    )
    factories.TaskFactory(project=project, owner=contributor, title="Book the KT", due_date=days(2))

    report = services.sweep(today=TODAY, now=NOW)

    assert len(report.sent) == 2  # the contributor, and the lead (an escalation)
    messages = {m["To"]: m for m in smtp_inbox.messages}
    assert set(messages) == {contributor.email, lead.email}
    message = messages[contributor.email]
    assert message["Subject"] == "Reminders for Payments platform: 1 overdue, 1 due soon"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"{settings.BASE_URL}/p/{project.pk}/?task={task.pk}#task-{task.pk}"
    assert link in text
    assert f'href="{link}"' in html
    assert text.index("OVERDUE") < text.index("Write the runbook") < text.index("Book the KT")
    assert "Book the KT" in html

    # RFC 2369 / 8058: a one-click unsubscribe link that works without signing in.
    [unsubscribe] = re.findall(r"<(https?://[^>]+)>", message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text
    answer = Client().post(
        unsubscribe.removeprefix(settings.BASE_URL), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    assert ReminderPreference.objects.get(user=contributor).frequency == Frequency.OFF

    escalation = messages[lead.email]
    assert "escalated to you" in escalation["Subject"]
    lead_text = escalation.get_body(preferencelist=("plain",)).get_content()
    assert f"ESCALATED: {contributor.display_name}'s" in lead_text
    assert DigestLog.objects.filter(status=DigestStatus.SENT).count() == 2


def test_an_smtp_server_that_is_down_leaves_the_digest_to_retry(settings, project, contributor):
    factories.TaskFactory(project=project, owner=contributor, due_date=days(-1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    report = services.sweep(today=TODAY, now=NOW)

    assert report.sent == []
    assert len(report.failed) == 1
    log = DigestLog.objects.get(recipient=contributor)
    assert log.status == DigestStatus.FAILED
    assert log.next_attempt_at is not None
    assert "ConnectionRefusedError" in log.last_error
