"""The write guard every app's services go through.

`project_write(project_id, by=...)` is the one way to change anything that belongs
to a transition. It opens a transaction, locks the project row, refuses a closed
transition, and hands back the locked project.

Lock order (documented here, followed everywhere, so two writers never wait on
each other in opposite orders): the project row first, then child rows
(criterion, sign-off, task, membership...) with `select_for_update()` inside the
block. A phase change takes the same project lock, so no write can slip in
between the checks of a phase move and the move itself.

Apps import this module (and `access`, `models`), never `projects.services`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction

from apps.projects.models import Project

if TYPE_CHECKING:
    from apps.accounts.models import User


class ActionRefused(ValidationError):
    """The action would break a rule; `messages` says why, in plain words.

    Views never catch it by hand: the project view decorator (`access.project_view`)
    turns it into a message, or an inline error for htmx, and a 4xx-free redirect.
    """


def attribute(instance: models.Model, by: User | None) -> None:
    """Name who makes the next save or delete of `instance` in the audit history.

    Requests get this from simple_history's middleware; services also run from
    commands and Celery tasks, where there is no request.
    """
    instance._history_user = by  # type: ignore[attr-defined]


def refuse_if_closed(project: Project) -> None:
    if project.is_closed:
        raise ActionRefused(
            f"This transition is {project.get_phase_display()}: it can no longer change."
        )


@contextmanager
def project_write(
    project_id: int, *, by: User | None, allow_closed: bool = False
) -> Iterator[Project]:
    """Lock the project row for a write and yield it; refuse a closed transition.

    Everything inside the block runs in one transaction: a refusal raised inside
    rolls every change back. `allow_closed` is for the one write a closed
    transition accepts (a lead reopening a cancelled one). After the block, the
    transition's summary row is recomputed under the same lock, so the dashboard
    is exact after every write.
    """
    with transaction.atomic():
        try:
            project = Project.objects.select_for_update().get(pk=project_id)
        except Project.DoesNotExist:
            raise ActionRefused("This transition no longer exists.") from None
        if not allow_closed:
            refuse_if_closed(project)
        attribute(project, by)
        yield project
        _after_write(project)


def _after_write(project: Project) -> None:
    """Hook run inside the lock after each write (the summary row, see `summary`)."""
    from apps.projects import summary  # late: summary reads every registered gate

    summary.refresh(project.pk)
