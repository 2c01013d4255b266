import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transition.settings")

app = Celery("transition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _first_heartbeat(sender: Any, **kwargs: Any) -> None:
    """Report in at once, so /healthz need not wait for beat's first interval.

    Only a worker that serves the default queue reports; one started on its own
    queue (the test suite's) would leave the message for somebody else.
    """
    queues = {queue.name for queue in sender.task_consumer.queues}
    if sender.app.conf.task_default_queue in queues:
        sender.app.send_task("apps.core.tasks.heartbeat")
