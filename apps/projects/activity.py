"""A project's activity feed, read from the audit history (django-simple-history).

Each tracked model costs two queries (the latest records and the records just
before them), plus one for the users named in the changes: the page's query count
does not depend on how much history there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery

from apps.accounts.models import User
from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task

PAGE_SIZE = 100
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


def recent(project: Project, *, limit: int = PAGE_SIZE) -> list[Entry]:
    """The newest `limit` changes to the project and everything it contains."""
    fetched: list[tuple[type[models.Model], Any, Any]] = []
    user_ids: set[int] = set()
    for model, history in _sources(project):
        previous = history.model.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        records = list(
            history.select_related("history_user")
            .annotate(previous_id=Subquery(previous.values("history_id")[:1]))
            .order_by("-history_date", "-history_id")[:limit]
        )
        previous_records = history.model.objects.in_bulk(
            [r.previous_id for r in records if r.previous_id]
        )
        for record in records:
            before = previous_records.get(record.previous_id)
            fetched.append((model, record, before))
            user_ids.update(_user_ids(model, record, before))
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    entries = [_entry(model, record, before, users) for model, record, before in fetched]
    # A save that changed nothing visible is not news.
    entries = [e for e in entries if e.verb != "changed" or e.changes]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _user_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is User
    ]


def _user_ids(model: type[models.Model], record: Any, before: Any) -> set[int]:
    ids = set()
    for f in _user_fields(model):
        for row in (record, before):
            if row is not None and getattr(row, f.attname):
                ids.add(getattr(row, f.attname))
    return ids


def _display(f: models.Field, value: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        return users.get(value, f"#{value}") if f.related_model is User else f"#{value}"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
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
    return record.name


def _entry(model: type[models.Model], record: Any, before: Any, users: dict[int, str]) -> Entry:
    changes: list[Change] = []
    if record.history_type == "~" and before is not None:
        for f in model._meta.concrete_fields:
            if f.name in IGNORED_FIELDS:
                continue
            old, new = getattr(before, f.attname), getattr(record, f.attname)
            if old != new:
                changes.append(
                    Change(str(f.verbose_name), _display(f, old, users), _display(f, new, users))
                )
    who = record.history_user.display_name if record.history_user else "System"
    return Entry(
        when=record.history_date,
        who=who,
        verb=VERBS.get(record.history_type, record.history_type),
        kind=str(model._meta.verbose_name),
        label=_label(model, record),
        changes=changes,
        reason=record.history_change_reason or "",
    )
