from celery import shared_task
from django.utils import timezone

from apps.projects import summary


@shared_task
def refresh_summaries() -> str:
    """Recompute the summaries computed before today (overdue counts change at midnight).

    Beat runs it every hour, so a transition's dashboard row is at most an hour past
    midnight behind the date; `manage.py refresh_summaries` runs the same code.
    """
    count = summary.refresh_stale(today=timezone.localdate())
    return f"{count} summaries refreshed"
