from celery import shared_task
from django.utils import timezone

from apps.reminders import services


@shared_task(name="reminders.send_digests")
def send_digests() -> str:
    """The day's digests; beat runs it at REMINDERS_HOUR, `send_reminders` is its twin.

    Safe to run twice or twice at once: the sent-log's unique key sends each once.
    """
    report = services.sweep(today=timezone.localdate(), now=timezone.now())
    return report.summary()


@shared_task(name="reminders.retry_digests")
def retry_digests() -> str:
    """Today's failed digests whose backoff has passed, planned afresh and sent again."""
    report = services.retry_failed(today=timezone.localdate(), now=timezone.now())
    return "nothing to retry" if report is None else report.summary()
