"""The types each app describes its audit history with, for a transition's activity feed.

An app lists its tracked models in its own `activity_sources.py` as `SOURCES`, a
tuple of `ActivitySource`; `apps/projects/activity.py` registers each app's tuple
with one line and reads them all. The types live here, beside the gate result
types, so an app's sources need not import `apps.projects` (whose registry imports
them).

The smallest source names a model, its records for a transition, how a record names
its object and the kind it is filtered under; the feed then tells its changes with
`generic_sentence` ("Anna changed the runbook “Database failover”: review date 3 May
→ 10 May"). A source that can say more (a sign-off, a phase move) gives `describe`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

# How many characters of an object's name or a reason a sentence quotes.
QUOTE_CHARS = 80


def quote(text: str, chars: int = QUOTE_CHARS) -> str:
    """“text”, on one line, shortened at a word boundary ("…") when long."""
    return f"“{shorten(text, chars)}”"


def shorten(text: str, chars: int = 160) -> str:
    """Free text (a reason, a comment) on one line, shortened at a word boundary
    ("…") when longer than `chars`; a single longer word is cut."""
    one_line = " ".join(str(text).split())
    if len(one_line) <= chars:
        return one_line
    cut = one_line[: chars - 1]
    if one_line[chars - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return f"{cut.rstrip(' ,;:.')}…"


def show_value(
    f: models.Field,
    value: Any,
    names: Mapping[Any, Mapping[Any, str]],
    today: dt.date | None = None,
) -> str:
    """A field's value as people see it on the pages; "" for an empty value.

    Choices by their labels, related objects by their names (`names`: related
    model -> primary key -> name), dates as "3 May" ("3 May 2025" outside `today`'s
    year), times in the site's time zone ("3 May, 14:05").
    """
    if value is None or value == "":
        return ""
    if isinstance(f, models.ForeignKey):
        related: Any = f.related_model
        return names.get(related, {}).get(value, f"a deleted {related._meta.verbose_name}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{_day(local.date(), today)}, {local:%H:%M}"
    if isinstance(value, dt.date):
        return _day(value, today)
    return shorten(str(value), 60)


def _day(day: dt.date, today: dt.date | None) -> str:
    return f"{day.day} {day:%b}" if today and day.year == today.year else f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Change:
    """One field a change altered: raw values and the words shown for them."""

    field: models.Field
    old: Any
    new: Any
    old_text: str
    new_text: str

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def label(self) -> str:
        return str(self.field.verbose_name)

    def clause(self) -> str:
        """ "due date 3 May 2026 → 10 May 2026", "set the owner to Anna", "cleared the
        due date", "edited the description" (long text is not quoted in a sentence)."""
        if isinstance(self.field, models.TextField) and not self.field.choices:
            return f"edited the {self.label}"
        if not self.old_text:
            return f"set the {self.label} to {self.new_text}"
        if not self.new_text:
            return f"cleared the {self.label} (was {self.old_text})"
        return f"{self.label} {self.old_text} → {self.new_text}"


@dataclass(frozen=True)
class Event:
    """One history record of a source, ready to be told as a sentence.

    `record` is the django-simple-history record (the object as it was after the
    change), `before` the object's record just before it (None for a creation or a
    deletion), `changes` the fields that differ between them, `names` the names of
    the people and things the records point at (`show`).
    """

    record: Any
    before: Any | None
    changes: tuple[Change, ...]
    names: Mapping[Any, Mapping[Any, str]] = field(default_factory=dict)
    today: dt.date | None = None

    @property
    def created(self) -> bool:
        return bool(self.record.history_type == "+")

    @property
    def deleted(self) -> bool:
        return bool(self.record.history_type == "-")

    def change(self, name: str) -> Change | None:
        return next((c for c in self.changes if c.name == name), None)

    def show(self, name: str) -> str:
        """The record's value of field `name`, as people see it ("" when empty)."""
        f = self.record.instance_type._meta.get_field(name)
        return show_value(f, getattr(self.record, f.attname), self.names, self.today)


@dataclass(frozen=True)
class Sentence:
    """What happened, after the name of who did it: "<action> <target><detail>".

    `target` names the thing changed and becomes the link to it; e.g. action
    "signed off", target "“Monitoring is verified”", detail "" or ": reason".
    """

    action: str
    target: str
    detail: str = ""


def generic_sentence(event: Event, noun: str, label: str) -> Sentence:
    """ "added the task “X”", "deleted the task “X”", "changed the task “X”: due
    date 3 May → 10 May, set the owner to Anna"."""
    if event.created:
        return Sentence(f"added the {noun}", label)
    if event.deleted:
        return Sentence(f"deleted the {noun}", label)
    clauses = ", ".join(c.clause() for c in event.changes)
    return Sentence(f"changed the {noun}", label, f": {clauses}" if clauses else "")


@dataclass(frozen=True)
class ActivitySource:
    """One model with django-simple-history records that belong to a transition.

    - `model`: the tracked model.
    - `history(project_id)`: its history records that belong to the transition, e.g.
      `Task.history.filter(project_id=project_id)`. An object never moves to another
      transition, so all of an object's records pass the same filter. The feed
      compiles this query once per process and reruns it with other transitions'
      ids, so use `project_id` only as a filter value (a source that does anything
      else with it still works, compiled on every page).
    - `label(record)`: how a history record names its object ("“Write the runbook”").
    - `kind`, `kind_label`: the filter it is listed under ("tasks", "Tasks"); several
      sources may share one (a runbook and its scenarios under "runbooks").
    - `describe(event)`: the sentence for one record; by default `generic_sentence`
      with the model's verbose name and `label`.
    - `link(project_id, record, state)`: the address of the object changed, or "".
      `state` is what `state()` reads from the object as it is now, as text; it is
      None when the object has since been deleted, and then there is no link.
    - `state()`: the model's objects reduced to the one value `link` needs, e.g.
      `Task.objects.values("status")` (a done task sits behind another tab); by
      default its primary key (it exists). The feed reads it in the page's one heads
      query, so a link costs no query of its own.
    """

    model: type[models.Model]
    history: Callable[[int], models.QuerySet[Any]]
    label: Callable[[Any], str]
    kind: str
    kind_label: str
    describe: Callable[[Event], Sentence] | None = None
    link: Callable[[int, Any, str], str] | None = None
    state: Callable[[], models.QuerySet[Any]] | None = None

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    def sentence(self, event: Event) -> Sentence:
        if self.describe is not None:
            return self.describe(event)
        return generic_sentence(event, self.noun, self.label(event.record))

    def current(self) -> models.QuerySet[Any]:
        """The live objects, as `state` reduces them (a one-column `values()`)."""
        if self.state is not None:
            return self.state()
        return self.model._default_manager.values("pk")
