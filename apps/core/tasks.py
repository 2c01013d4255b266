from celery import shared_task
from django.utils import timezone

from apps.core.models import Heartbeat


@shared_task
def heartbeat() -> str:
    """Record that the worker ran a task; /healthz reports how long ago."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": now})
    return f"worker alive at {now.isoformat()}"


@shared_task
def ping(value: str) -> str:
    """Echo a value: lets tests and operators see a round trip through the worker."""
    return f"pong {value}"
