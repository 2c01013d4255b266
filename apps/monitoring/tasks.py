from celery import shared_task

from apps.monitoring import services


@shared_task(name="monitoring.check_heartbeats")
def check_heartbeats() -> str:
    """Beat runs it every minute; `manage.py check_heartbeats` runs the same code."""
    return f"{services.heartbeats_check()} summaries refreshed"
