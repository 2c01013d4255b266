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

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone

from apps.core import concurrency
from apps.projects.models import Project

if TYPE_CHECKING:
    from apps.accounts.models import User


class ActionRefused(ValidationError):
    """The action would break a rule; `messages` says why, in plain words.

    Views never catch it by hand: the project view decorator (`access.project_view`)
    turns it into a message, or an inline error for htmx, and a 4xx-free redirect.
    """


class EditConflict(ActionRefused):
    """A save from a form read before someone else's save would overwrite their change.

    `messages` says who changed it, when, and each field as theirs vs yours; `version`
    is the row's version now, for the form to carry if the user saves again. An edit
    view shows it with the form (`VersionedFormMixin.show_conflict`), keeping the
    user's input; anywhere else `access.project_view` shows it like any refusal.
    """

    def __init__(self, messages: list[str], *, version: str) -> None:
        super().__init__(messages)
        self.version = version


def refuse_stale_edit(
    current: models.Model,
    *,
    seen: dt.datetime | None,
    fields: Sequence[str],
    yours: Mapping[str, Any],
) -> None:
    """Raise `EditConflict` when saving `yours` over the locked row `current` would
    silently undo a change saved after the form was read (at version `seen`).

    Call it under the lock (inside `project_write`, with the child row locked), so no
    save can slip in between the comparison and the write.
    """
    changes = concurrency.stale_changes(current, seen=seen, fields=fields, yours=yours)
    if not changes:
        return
    last = current.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]
    who = str(last.history_user) if last is not None and last.history_user else "someone"
    when = formats.date_format(
        timezone.localtime(current.updated_at),  # type: ignore[attr-defined]
        "j F Y, H:i",
    )
    raise EditConflict(
        [
            f"This was changed by {who} at {when}, after you opened the form; "
            "review and save again.",
            *(change.sentence for change in changes),
        ],
        version=concurrency.version_of(current),
    )


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
