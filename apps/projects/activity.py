"""A transition's activity feed: who changed what and when, across every app.

Each app contributes its tracked models through an explicit list, one line per
app, in `SOURCES` below (the app's own `activity_sources.SOURCES`, a tuple of
`apps.core.activity.ActivitySource`). The feed merges their audit history
(django-simple-history), newest first, and tells each change as a sentence
("Helena Novak signed off “Monitoring is verified”"), with a link to the thing
changed while it exists.

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
1. one query for the page's heads: a UNION ALL over every source the filters keep
   of (history_date, history_id, source, previous record), with the saves that
   changed nothing visible filtered out in SQL, ordered and sliced in SQL.
   Each head also carries what its link needs of the object as it is now (a done
   task's tab, a criterion's list), NULL once the object is deleted;
2. one query per source that has entries on this page: those records and the
   records just before them (for the diff);
3. one query per kind of object the shown changes name (users, teams), who made
   the changes included.
A source with nothing on the page costs nothing, so 20 sources cost what 5 do
unless a page mixes all 20 (bounded by the number of sources shown, never by
rows). Deep pages cost the database an OFFSET, not more queries; `MAX_PAGE`
bounds it. Should pages routinely mix many sources, the next step is an activity
table filled from the history records (the `Entry`/`Page` types stay).

The heads query is the costly one to build: the ORM takes ~15 ms to compile its
five correlated branches, the database ~0.2 ms to run it. So it is compiled once
per process for each set of filters (`_statement`) and rerun with the page's
transition, person and slice as parameters.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, models, router
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from apps.core.activity import ActivitySource, Change, Event, show_value
from apps.monitoring import activity_sources as monitoring_activity
from apps.projects import activity_sources as projects_activity
from apps.projects.models import Membership, Project
from apps.runbooks import activity_sources as runbooks_activity
from apps.support import activity_sources as support_activity

# Every app's sources, one line per app.
SOURCES: tuple[ActivitySource, ...] = (
    *projects_activity.SOURCES,
    *support_activity.SOURCES,
    *runbooks_activity.SOURCES,
    *monitoring_activity.SOURCES,
    # e.g. *runbooks_activity.SOURCES,
)

PAGE_SIZE = 50
MAX_PAGE = 50  # bounds the OFFSET a page reads; older changes are in the admin's history
IGNORED_FIELDS = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class Entry:
    """One change, told as "<who> <action> <target><detail>" (target links to `link`)."""

    when: dt.datetime
    who: str
    who_id: int | None
    kind: str
    action: str
    target: str
    detail: str
    link: str

    @property
    def sentence(self) -> str:
        return f"{self.who} {self.action} {self.target}{self.detail}"


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    number: int
    has_next: bool


def kinds(sources: tuple[ActivitySource, ...] = SOURCES) -> list[tuple[str, str]]:
    """(kind, label) of every kind the sources are filtered under, in registry order."""
    return list({source.kind: source.kind_label for source in sources}.items())


def people(project: Project) -> list[tuple[int, str]]:
    """(id, name) of everyone who is or was a member of the transition, by name: whom
    the feed can be filtered by. One query."""
    ever = Membership.history.filter(project_id=project.pk).values("user_id")
    users = get_user_model()._default_manager.filter(pk__in=ever)
    return sorted(((u.pk, u.display_name) for u in users), key=lambda p: (p[1].casefold(), p[0]))


@dataclass(frozen=True)
class Filters:
    """What the feed is narrowed to: one kind ("" for all) and one person (None for all)."""

    kind: str = ""
    person: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.kind or self.person is not None)

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,) if self.kind else ()


def read_filters(params: Mapping[str, str], *, choices: list[tuple[int, str]]) -> Filters:
    """The filters in a query string (`?kind=tasks&person=12`). A value that names no
    kind or no one in `choices` is dropped, with a sentence saying so."""
    problems = []
    kind = params.get("kind", "")
    if kind and kind not in dict(kinds()):
        problems.append("That kind of change does not exist; showing every kind.")
        kind = ""
    person: int | None = None
    raw = params.get("person", "")
    if raw:
        try:
            person = int(raw)
        except ValueError:
            person = None
        if person not in dict(choices):
            problems.append("That person is not a member of this transition; showing everyone.")
            person = None
    return Filters(kind=kind, person=person, problems=tuple(problems))


def recent(
    project: Project,
    *,
    page: int = 1,
    limit: int = PAGE_SIZE,
    kinds: Iterable[str] = (),
    person: int | None = None,
    today: dt.date | None = None,
    sources: tuple[ActivitySource, ...] | None = None,
) -> Page:
    """Page `page` of the changes to the project and everything in it, newest first.

    Only the changes of the sources of `kinds` (all when empty) and those `person`
    (a user's id) made, when given. `sources` defaults to every registered source
    (`SOURCES`); `today` (the site's local date by default) decides whether dates
    show their year.
    """
    sources = SOURCES if sources is None else sources
    wanted_kinds = set(kinds)
    if wanted_kinds:
        sources = tuple(s for s in sources if s.kind in wanted_kinds)
    page = max(1, min(page, MAX_PAGE))
    if not sources:
        return Page(entries=[], number=page, has_next=False)
    offset = (page - 1) * limit
    heads = _read_heads(project.pk, sources, person, limit=limit + 1, offset=offset)
    has_next = len(heads) > limit and page < MAX_PAGE
    heads = heads[:limit]

    # One query per source shown: its records on the page and the ones just before them.
    wanted: dict[int, set[int]] = defaultdict(set)
    for index, history_id, previous_id, _state in heads:
        wanted[index].update(i for i in (history_id, previous_id) if i is not None)
    # (Who made them is named with the other people, in `_names`.)
    records: dict[int, dict[Any, Any]] = {
        index: _record_model(sources[index])
        ._default_manager.order_by()
        .in_bulk(ids, field_name="history_id")
        for index, ids in wanted.items()
    }
    shown = []
    states = []
    for index, history_id, previous_id, state in heads:
        found = records[index]
        record, before = found[history_id], found.get(previous_id)
        shown.append((index, record, before, _diff(sources[index].model, record, before)))
        states.append(state)

    names = _names(shown)
    people = names.get(get_user_model(), {})
    today = today or timezone.localdate()
    entries = []
    for (index, record, before, diff), state in zip(shown, states, strict=True):
        source = sources[index]
        changes = tuple(
            Change(f, old, new, show_value(f, old, names, today), show_value(f, new, names, today))
            for f, old, new in diff
        )
        sentence = source.sentence(Event(record, before, changes, names, today))
        who_id = record.history_user_id
        entries.append(
            Entry(
                when=record.history_date,
                who=people.get(who_id, "a former user") if who_id is not None else "System",
                who_id=who_id,
                kind=source.kind,
                action=sentence.action,
                target=sentence.target,
                detail=sentence.detail,
                link=source.link(project.pk, record, state)
                if source.link and state is not None
                else "",
            )
        )
    return Page(entries=entries, number=page, has_next=has_next)


@functools.cache
def _record_model(source: ActivitySource) -> type[models.Model]:
    """The model of the source's history records (`HistoricalTask`)."""
    return source.history(0).model


def _names(
    shown: list[tuple[int, Any, Any, list[tuple[models.Field, Any, Any]]]],
) -> dict[Any, dict[Any, str]]:
    """The names of the people and things the shown records point at: one query per
    related model (users, teams), whatever the rows. People are named whenever a
    record points at them (who made it, a sign-off's signer), other things only
    when changed."""
    user_model = get_user_model()
    referenced: dict[Any, set[Any]] = defaultdict(set)  # related model -> primary keys
    for _index, record, before, diff in shown:
        if record.history_user_id is not None:
            referenced[user_model].add(record.history_user_id)
        for f, old, new in diff:
            if isinstance(f, models.ForeignKey):
                referenced[f.related_model].update(v for v in (old, new) if v is not None)
        for f in record.instance_type._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is user_model:
                for r in (record, before):
                    if r is not None and getattr(r, f.attname) is not None:
                        referenced[user_model].add(getattr(r, f.attname))
    return {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(ids).items()}
        for related, ids in referenced.items()
    }


# The heads query -----------------------------------------------------------------

# Stand-ins for the transition's and the person's ids while a statement is compiled;
# no real row has a negative id.
_PROJECT_MARKS = (-7_000_000_001, -7_000_000_002)
_PERSON_MARKS = (-8_000_000_001, -8_000_000_002)


@dataclass(frozen=True)
class _Statement:
    """The heads query compiled once, its parameters with the ids left as slots."""

    sql: str
    params: tuple[Any, ...]  # a value, or "project"/"person" in a _Slot

    def bind(
        self, project_id: int, person: int | None, limit: int, offset: int
    ) -> tuple[str, list[Any]]:
        values = {"project": project_id, "person": person}
        params = [values[p.name] if isinstance(p, _Slot) else p for p in self.params]
        return f"{self.sql} LIMIT %s OFFSET %s", [*params, limit, offset]


@dataclass(frozen=True)
class _Slot:
    name: str


def _read_heads(
    project_id: int,
    sources: tuple[ActivitySource, ...],
    person: int | None,
    *,
    limit: int,
    offset: int,
) -> list[tuple[int, int, int | None, str | None]]:
    """(source index, history_id, previous history_id, state of the object now) of the
    page's records; the state is None for an object since deleted."""
    alias = router.db_for_read(sources[0].model)
    statement = _statement(sources, person is not None, alias)
    if statement is None:  # a source whose query cannot be rerun with other ids
        heads = _heads(project_id, sources, person)[offset : offset + limit]
        return [_head(r) for r in heads]
    sql, params = statement.bind(project_id, person, limit, offset)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return [_head(r) for r in rows]


def _head(row: Mapping[str, Any]) -> tuple[int, int, int | None, str | None]:
    state = row["activity_state"]
    return (
        row["activity_source"],
        row["history_id"],
        row["activity_previous_id"],
        None if state is None else str(state),
    )


@functools.lru_cache(maxsize=256)
def _statement(
    sources: tuple[ActivitySource, ...], by_person: bool, alias: str
) -> _Statement | None:
    """The heads query for these sources, compiled with stand-in ids, twice.

    Compiling it with two different stand-ins tells which parameters are the ids:
    the SQL must be the same and the parameters differ exactly where the stand-ins
    went. Anything else (a source that computes with the id) gives None, and the
    query is compiled on every page instead.
    """
    compiled = []
    for project_mark, person_mark in zip(_PROJECT_MARKS, _PERSON_MARKS, strict=True):
        query = _heads(project_mark, sources, person_mark if by_person else None).query
        compiled.append(query.get_compiler(using=alias).as_sql())
    (sql, first), (other_sql, second) = compiled
    if sql != other_sql or len(first) != len(second):
        return None
    params: list[Any] = []
    for a, b in zip(first, second, strict=True):
        if a == b and a not in _PROJECT_MARKS + _PERSON_MARKS:
            params.append(a)
        elif (a, b) == _PROJECT_MARKS:
            params.append(_Slot("project"))
        elif (a, b) == _PERSON_MARKS:
            params.append(_Slot("person"))
        else:
            return None
    return _Statement(sql=sql, params=tuple(params))


def _heads(
    project_id: int, sources: tuple[ActivitySource, ...], person: int | None
) -> QuerySet[Any]:
    """(history_date, history_id, activity_source, activity_previous_id) of every
    record of every source, newest first, without the saves that changed nothing."""
    branches = [_branch(index, source, project_id, person) for index, source in enumerate(sources)]
    first, *rest = branches
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-history_id", "activity_source")


def _branch(
    index: int, source: ActivitySource, project_id: int, person: int | None
) -> QuerySet[Any]:
    history = source.history(project_id)
    if person is not None:
        history = history.filter(history_user_id=person)
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
    # What the source's link needs of the object as it is now; NULL once it is deleted.
    state: Any = Value(None, output_field=models.CharField())
    if source.link is not None:
        now = source.current().filter(pk=OuterRef("id")).order_by()[:1]
        state = Cast(Subquery(now), output_field=models.CharField())
    return (
        history.select_related(None)
        .annotate(
            activity_source=Value(index, output_field=models.IntegerField()),
            activity_previous_id=Subquery(previous.values("history_id")[:1]),
            activity_state=state,
        )
        .exclude(Q(history_type="~") & (Q(activity_previous_id__isnull=True) | Q(unchanged)))
        .order_by()
        .values(
            "history_date",
            "history_id",
            "activity_source",
            "activity_previous_id",
            "activity_state",
        )
    )


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a change record can alter: not the bookkeeping ones, nor those its
    history leaves out (a secret token is never kept in history)."""
    history = getattr(model, model._meta.simple_history_manager_attribute).model  # type: ignore[attr-defined]
    excluded = IGNORED_FIELDS | set(getattr(history, "_history_excluded_fields", ()))
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


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
