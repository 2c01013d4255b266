"""The projects app's hand-off items for the reminders (`apps/reminders/items.py`).

- a task not done, past due or due by `until` (default: within
  `REMINDERS_DUE_SOON_DAYS`): to its owner;
- an acceptance criterion that still applies (not withdrawn) and has no active
  sign-off, past due or due by `until`: to its expected signer, else the transition's
  operations lead, else every operations member of the transition (none: to nobody,
  which the reminders send to the lead).

Only open transitions (not BAU, not cancelled). Whether the person can be told (an
email address, still a member) is the reminders' rule, not this module's: it names
whom the transition asks. Three queries whatever the number of items: tasks,
criteria, and the operations members of the transitions whose criteria name nobody.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from apps.projects.models import CLOSED_PHASES, AcceptanceCriterion, Membership, Role, Task
from apps.reminders.handoff import HandoffItem

TASK = "task"
CRITERION = "criterion"
# Rows fetched from the database at a time: the sweep streams them, memory stays flat.
CHUNK = 2000


def items(
    today: dt.date,
    *,
    until: dt.date | None = None,
    project_ids: Collection[int] | None = None,
    person: int | None = None,
) -> Iterator[HandoffItem]:
    """Open tasks and unsigned criteria of open transitions, overdue or due by `until`;
    with `person`, only those addressed to that user."""
    horizon = until or today + dt.timedelta(days=settings.REMINDERS_DUE_SOON_DAYS)
    links = _Links()
    yield from _task_items(horizon, project_ids, person, links)
    for item in _criterion_items(horizon, project_ids, person, links):
        if person is None or item.recipient_id == person:
            yield item


class _Links:
    """A link to one row of the transition page (`?task=<id>#task-<id>`: the page finds
    the row's tab and page), its path reversed once per transition, not per item."""

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}

    def __call__(self, project_id: int, kind: str, pk: int) -> str:
        path = self._paths.get(project_id)
        if path is None:
            path = self._paths[project_id] = reverse("projects:detail", args=[project_id])
        return f"{path}?{kind}={pk}#{kind}-{pk}"


def _in_scope(queryset: QuerySet, project_ids: Collection[int] | None) -> QuerySet:
    queryset = queryset.exclude(project__phase__in=CLOSED_PHASES)
    if project_ids is not None:
        queryset = queryset.filter(project_id__in=list(project_ids))
    return queryset.order_by()


def _task_items(
    horizon: dt.date, project_ids: Collection[int] | None, person: int | None, links: _Links
) -> Iterator[HandoffItem]:
    tasks = Task.objects.open().filter(due_date__lte=horizon)
    if person is not None:
        tasks = tasks.filter(owner_id=person)
    rows = _in_scope(tasks, project_ids).values_list(
        "pk", "project_id", "project__name", "owner_id", "title", "due_date"
    )
    for pk, project_id, project_name, owner_id, title, due_date in rows.iterator(CHUNK):
        yield HandoffItem(
            key=f"{TASK}:{pk}",
            project_id=project_id,
            project_name=project_name,
            recipient_id=owner_id,
            title=title,
            due_date=due_date,
            url=links(project_id, TASK, pk),
            kind=TASK,
        )


def _criterion_items(
    horizon: dt.date, project_ids: Collection[int] | None, person: int | None, links: _Links
) -> Iterator[HandoffItem]:
    criteria = _in_scope(
        AcceptanceCriterion.objects.current().unsigned().filter(due_date__lte=horizon),
        project_ids,
    )
    if person is not None:  # asked of them, or of every ops member when they are one
        is_ops = Membership.objects.filter(
            project=OuterRef("project"), user_id=person, role=Role.OPS
        )
        criteria = criteria.filter(
            Q(expected_signer_id=person)
            | Q(expected_signer__isnull=True, project__ops_lead_id=person)
            | Q(expected_signer__isnull=True, project__ops_lead__isnull=True) & Exists(is_ops)
        )
    # Criteria naming nobody, in transitions without an operations lead, go to every
    # operations member: one query for those members, whatever the number of criteria.
    unnamed = criteria.filter(expected_signer__isnull=True, project__ops_lead__isnull=True)
    ops_members: dict[int, list[int]] = defaultdict(list)
    for project_id, user_id in (
        Membership.objects.filter(role=Role.OPS, project_id__in=unnamed.values("project_id"))
        .order_by("user_id")
        .values_list("project_id", "user_id")
    ):
        ops_members[project_id].append(user_id)

    rows = criteria.values_list(
        "pk", "project_id", "project__name", "expected_signer_id", "project__ops_lead_id",
        "statement", "due_date",
    )  # fmt: skip
    for pk, project_id, project_name, signer_id, ops_lead_id, statement, due_date in rows.iterator(
        CHUNK
    ):
        asked = signer_id or ops_lead_id
        recipients: list[int | None] = (
            [asked] if asked else list(ops_members.get(project_id, [])) or [None]
        )
        title = f"Sign off: {_shorten(statement)}"
        url = links(project_id, CRITERION, pk)
        for recipient_id in recipients:
            yield HandoffItem(
                key=f"{CRITERION}:{pk}",
                project_id=project_id,
                project_name=project_name,
                recipient_id=recipient_id,
                title=title,
                due_date=due_date,
                url=url,
                kind=CRITERION,
            )


def _shorten(text: str, limit: int = 120) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
