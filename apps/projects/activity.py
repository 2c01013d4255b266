"""A project's activity feed, read from the audit history (django-simple-history).

Each tracked model costs two queries (the latest records and the records just
before them), plus one per kind of object the changes name (users, teams): the
page's query count does not depend on how much history there is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task

PAGE_SIZE = 100
MAX_PAGE = 50  # bounds the rows a page reads; older changes are in the admin's history
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


def _sources(project: Project) -> list[tuple[type[models.Model], models.QuerySet]]:
    return [
        (Project, Project.history.filter(id=project.pk)),
        (Membership, Membership.history.filter(project_id=project.pk).select_related("user")),
        (Task, Task.history.filter(project_id=project.pk)),
        (AcceptanceCriterion, AcceptanceCriterion.history.filter(project_id=project.pk)),
        (SignOff, SignOff.history.filter(criterion__project_id=project.pk)),
    ]


@dataclass
class Page:
    entries: list[Entry]
    number: int
    has_next: bool


def recent(project: Project, *, page: int = 1, limit: int = PAGE_SIZE) -> Page:
    """Page `page` of the changes to the project and everything in it, newest first.

    Each source returns its newest page*limit records, so deeper pages read more
    rows but never more queries.
    """
    page = max(1, min(page, MAX_PAGE))
    depth = page * limit
    fetched: list[tuple[type[models.Model], Any, list[tuple[models.Field, Any, Any]]]] = []
    for model, history in _sources(project):
        previous = history.model.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        records = list(
            history.select_related("history_user")
            .annotate(previous_id=Subquery(previous.values("history_id")[:1]))
            .order_by("-history_date", "-history_id")[: depth + 1]
        )
        previous_records = history.model.objects.in_bulk(
            [r.previous_id for r in records if r.previous_id]
        )
        for record in records:
            diff = _diff(model, record, previous_records.get(record.previous_id))
            if record.history_type == "~" and not diff:
                continue  # a save that changed nothing visible is not news
            fetched.append((model, record, diff))
    fetched.sort(key=lambda item: item[1].history_date, reverse=True)
    shown = fetched[depth - limit : depth]
    # One query per kind of object the shown changes point at (users, teams, ...).
    referenced: dict[Any, set[Any]] = defaultdict(set)  # related model -> primary keys
    for _model, _record, diff in shown:
        for f, old, new in diff:
            if isinstance(f, models.ForeignKey):
                referenced[f.related_model].update(v for v in (old, new) if v is not None)
    names = {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(ids).items()}
        for related, ids in referenced.items()
    }
    return Page(
        entries=[_entry(model, record, diff, names) for model, record, diff in shown],
        number=page,
        has_next=len(fetched) > depth and page < MAX_PAGE,
    )


def _diff(
    model: type[models.Model], record: Any, before: Any
) -> list[tuple[models.Field, Any, Any]]:
    """(field, old, new) for each field a change record altered; empty for others."""
    if record.history_type != "~" or before is None:
        return []
    return [
        (f, getattr(before, f.attname), getattr(record, f.attname))
        for f in model._meta.concrete_fields
        if f.name not in IGNORED_FIELDS and getattr(before, f.attname) != getattr(record, f.attname)
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


def _label(model: type[models.Model], record: Any) -> str:
    if model is Membership:
        return str(record.user) if record.user_id else "a member"
    if model is SignOff:
        return f"of “{record.statement_snapshot[:60]}”"
    if model is AcceptanceCriterion:
        return f"“{record.statement[:80]}”"
    if model is Task:
        return f"“{record.title}”"
    return str(record.name)


def _entry(
    model: type[models.Model],
    record: Any,
    diff: list[tuple[models.Field, Any, Any]],
    names: dict[Any, dict[Any, str]],
) -> Entry:
    who = record.history_user.display_name if record.history_user else "System"
    return Entry(
        when=record.history_date,
        who=who,
        verb=VERBS.get(record.history_type, record.history_type),
        kind=str(model._meta.verbose_name),
        label=_label(model, record),
        changes=[
            Change(str(f.verbose_name), _display(f, old, names), _display(f, new, names))
            for f, old, new in diff
        ],
        reason=record.history_change_reason or "",
    )
