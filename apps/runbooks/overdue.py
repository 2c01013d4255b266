"""The runbooks app's hand-off items for the reminders (`apps/reminders/items.py`).

A published runbook of an open transition (not BAU, not cancelled) whose review-by
date has passed, or falls by `until` (default: within `REMINDERS_DUE_SOON_DAYS`), is
an item for its owner: a stale runbook may no longer be true, and the gate blocks
on it. A draft is not: it is not in use yet, and the gate names it already. The
item is done when someone reviews the runbook and moves its review-by date on.

One query whatever the number of items (a transition has a runbook or two, so
reversing each one's page costs little).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.conf import settings
from django.urls import reverse

from apps.projects.models import CLOSED_PHASES
from apps.reminders.handoff import HandoffItem
from apps.runbooks.models import Runbook, RunbookStatus

RUNBOOK = "runbook"
# Rows fetched from the database at a time: the sweep streams them, memory stays flat.
CHUNK = 2000


def items(
    today: dt.date,
    *,
    until: dt.date | None = None,
    project_ids: Collection[int] | None = None,
    person: int | None = None,
) -> Iterator[HandoffItem]:
    """Published runbooks of open transitions due for review by `until`, to their
    owners; with `person`, only that user's."""
    horizon = until or today + dt.timedelta(days=settings.REMINDERS_DUE_SOON_DAYS)
    runbooks = Runbook.objects.filter(
        status=RunbookStatus.PUBLISHED, review_by__lte=horizon
    ).exclude(project__phase__in=CLOSED_PHASES)
    if project_ids is not None:
        runbooks = runbooks.filter(project_id__in=list(project_ids))
    if person is not None:
        runbooks = runbooks.filter(owner_id=person)
    rows = runbooks.order_by().values_list(
        "pk", "project_id", "project__name", "owner_id", "title", "review_by"
    )
    for pk, project_id, project_name, owner_id, title, review_by in rows.iterator(CHUNK):
        yield HandoffItem(
            key=f"{RUNBOOK}:{pk}",
            project_id=project_id,
            project_name=project_name,
            recipient_id=owner_id,
            title=f"Review the runbook “{title}”",
            due_date=review_by,
            url=reverse("runbooks:detail", args=[project_id, pk]),
            kind=RUNBOOK,
        )
