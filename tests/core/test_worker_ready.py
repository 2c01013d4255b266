"""A worker reports its heartbeat as soon as it is ready, if it serves the default queue."""

from dataclasses import dataclass, field

from transition.celery import _first_heartbeat
from transition.celery import app as celery_app


@dataclass
class Queue:
    name: str


@dataclass
class SentTasks:
    conf: object = field(default_factory=lambda: celery_app.conf)
    sent: list[str] = field(default_factory=list)

    def send_task(self, name: str) -> None:
        self.sent.append(name)


@dataclass
class TaskConsumer:
    queues: list[Queue]


@dataclass
class Consumer:
    """The parts of celery.worker.consumer.Consumer the handler reads."""

    app: SentTasks
    task_consumer: TaskConsumer


def test_a_worker_on_the_default_queue_reports_at_once():
    consumer = Consumer(SentTasks(), TaskConsumer([Queue(celery_app.conf.task_default_queue)]))
    _first_heartbeat(consumer)
    assert consumer.app.sent == ["apps.core.tasks.heartbeat"]


def test_a_worker_on_its_own_queue_leaves_no_message_for_others():
    consumer = Consumer(SentTasks(), TaskConsumer([Queue("transition-test-worker")]))
    _first_heartbeat(consumer)
    assert consumer.app.sent == []
