"""A transition's activity feed: who changed what and when, across every app.

Each app contributes its tracked models through an explicit list, one line per
app, in `SOURCES` below (the app's own `activity_sources.SOURCES`, a tuple of
`apps.core.activity.ActivitySource`). The feed merges their audit history
(django-simple-history), newest first.

Why a merge of the history tables and not an activity table of its own: the
history tables already are an append-only log, written by every save and delete
of a tracked model, whatever made it (services under `project_write`, the admin,
`bulk_create_with_history`, data migrations). A second table written by
`attribute()`/`project_write` would miss the writes that do not pass through them,
could disagree with the audit trail it summarises, and would add a write to every
change under the project lock. One source of truth for "who changed what", read
two ways.

What a page costs, whatever the history's size and however many sources are
registered:
1. one query for the page's heads: a UNION ALL over every source of
   (history_date, history_id, source, previous record), with the saves that
   changed nothing visible filtered out in SQL, ordered and sliced in SQL;
2. one query per source that has entries on this page: those records and the
   records just before them (for the diff), with who made them;
3. one query per kind of object the shown changes name (users, teams).
A source with nothing on the page costs nothing, so 20 sources cost what 5 do
unless a page mixes all 20 (bounded by the number of sources shown, never by
rows). Deep pages cost the database an OFFSET, not more queries; `MAX_PAGE`
bounds it. Should pages routinely mix many sources, the next step is an activity
table filled from the history records (the `Entry`/`Page` types stay).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from apps.core.activity import ActivitySource
from apps.projects import activity_sources as projects_activity
from apps.projects.models import Project

# Every app's sources, one line per app.
SOURCES: tuple[ActivitySource, ...] = (
    *projects_activity.SOURCES,
    # e.g. *runbooks_activity.SOURCES,
)

PAGE_SIZE = 100
MAX_PAGE = 50  # bounds the OFFSET a page reads; older changes are in the admin's history
IGNORED_FIELDS = {"id", "created_at", "updated_at"}
VERBS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    verb: str
    kind: str
    label: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


@dataclass
class Page:
    entries: list[Entry]
    number: int
    has_next: bool


def recent(
    project: Project,
    *,
    page: int = 1,
    limit: int = PAGE_SIZE,
    sources: tuple[ActivitySource, ...] | None = None,
) -> Page:
    """Page `page` of the changes to the project and everything in it, newest first.

    `sources` defaults to every registered source (`SOURCES`).
    """
    sources = SOURCES if sources is None else sources
    page = max(1, min(page, MAX_PAGE))
    if not sources:
        return Page(entries=[], number=page, has_next=False)
    offset = (page - 1) * limit
    heads = list(_heads(project.pk, sources)[offset : offset + limit + 1])
    has_next = len(heads) > limit and page < MAX_PAGE
    heads = heads[:limit]
    # One query per source shown: its records on the page and the ones just before them.
    wanted: dict[int, set[int]] = defaultdict(set)
    for head in heads:
        wanted[head["activity_source"]].add(head["history_id"])
        if head["activity_previous_id"] is not None:
            wanted[head["activity_source"]].add(head["activity_previous_id"])
    records = {
        index: sources[index]
        .history(project.pk)
        .select_related("history_user")
        .in_bulk(ids, field_name="history_id")
        for index, ids in wanted.items()
    }
    shown = []
    for head in heads:
        source, found = sources[head["activity_source"]], records[head["activity_source"]]
        record = found[head["history_id"]]
        before = found.get(head["activity_previous_id"])
        shown.append((source, record, _diff(source.model, record, before)))
    # One query per kind of object the shown changes point at (users, teams, ...).
    referenced: dict[Any, set[Any]] = defaultdict(set)  # related model -> primary keys
    for _source, _record, diff in shown:
        for f, old, new in diff:
            if isinstance(f, models.ForeignKey):
                referenced[f.related_model].update(v for v in (old, new) if v is not None)
    names = {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(ids).items()}
        for related, ids in referenced.items()
    }
    return Page(
        entries=[_entry(source, record, diff, names) for source, record, diff in shown],
        number=page,
        has_next=has_next,
    )


def _heads(project_id: int, sources: tuple[ActivitySource, ...]) -> QuerySet[Any]:
    """(history_date, history_id, activity_source, activity_previous_id) of every
    record of every source, newest first, without the saves that changed nothing."""
    branches = [_branch(index, source, project_id) for index, source in enumerate(sources)]
    first, *rest = branches
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-history_id", "activity_source")


def _branch(index: int, source: ActivitySource, project_id: int) -> QuerySet[Any]:
    history = source.history(project_id)
    record_model = history.model
    previous = record_model.objects.filter(
        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
    ).order_by("-history_id")
    # A change record is news only when a field the feed shows differs from the record
    # before it (compared null-safely: NULL = NULL here); without one, there is no diff.
    same = Q()
    for f in _compared_fields(source.model):
        column, outer = F(f.attname), OuterRef(f.attname)
        same &= Q(Exact(column, outer)) | (Q(IsNull(column, True)) & Q(IsNull(outer, True)))
    unchanged = Exists(
        record_model.objects.filter(same, history_id=OuterRef("activity_previous_id"))
    )
    return (
        history.select_related(None)
        .annotate(
            activity_source=Value(index, output_field=models.IntegerField()),
            activity_previous_id=Subquery(previous.values("history_id")[:1]),
        )
        .exclude(Q(history_type="~") & (Q(activity_previous_id__isnull=True) | Q(unchanged)))
        .order_by()
        .values("history_date", "history_id", "activity_source", "activity_previous_id")
    )


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]


def _diff(
    model: type[models.Model], record: Any, before: Any
) -> list[tuple[models.Field, Any, Any]]:
    """(field, old, new) for each field a change record altered; empty for others."""
    if record.history_type != "~" or before is None:
        return []
    return [
        (f, getattr(before, f.attname), getattr(record, f.attname))
        for f in _compared_fields(model)
        if getattr(before, f.attname) != getattr(record, f.attname)
    ]


def _display(f: models.Field, value: Any, names: dict[Any, dict[Any, str]]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        return names.get(f.related_model, {}).get(value, "(deleted)")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _entry(
    source: ActivitySource,
    record: Any,
    diff: list[tuple[models.Field, Any, Any]],
    names: dict[Any, dict[Any, str]],
) -> Entry:
    who = record.history_user.display_name if record.history_user else "System"
    return Entry(
        when=record.history_date,
        who=who,
        verb=VERBS.get(record.history_type, record.history_type),
        kind=source.kind,
        label=source.label(record),
        changes=[
            Change(str(f.verbose_name), _display(f, old, names), _display(f, new, names))
            for f, old, new in diff
        ],
        reason=record.history_change_reason or "",
    )
