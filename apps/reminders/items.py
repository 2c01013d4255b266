"""Every app's hand-off item sources, one line per app.

Each source is `items(today, *, until=None, project_ids=None, person=None) ->
Iterable[HandoffItem]`: the items of open transitions (never BAU or cancelled) that
are not done and overdue or due by `until` (default: within
`settings.REMINDERS_DUE_SOON_DAYS`), each addressed to the person the app asks.
`project_ids` narrows them to some transitions and `person` to the items addressed
to that user (both for a person's own page; a source may ignore `person`, which
only costs time: the rules pick that person's digest). A source costs a few queries
in total, never one per item.

Adding an app's items means one line in `SOURCES`, e.g. `runbooks_overdue.items`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator

from apps.monitoring import overdue as monitoring_overdue
from apps.projects import overdue as projects_overdue
from apps.reminders.handoff import HandoffItem
from apps.runbooks import overdue as runbooks_overdue

__all__ = ["SOURCES", "HandoffItem", "Source", "collect"]

Source = Callable[..., Iterable[HandoffItem]]

SOURCES: tuple[Source, ...] = (
    projects_overdue.items,
    runbooks_overdue.items,
    monitoring_overdue.items,
    # e.g. knowledge_overdue.items,
)


def collect(
    today: dt.date,
    *,
    until: dt.date,
    project_ids: Collection[int] | None = None,
    person: int | None = None,
) -> Iterator[HandoffItem]:
    """Every registered source's items, source by source."""
    for source in SOURCES:
        yield from source(today, until=until, project_ids=project_ids, person=person)
