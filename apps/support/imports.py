"""CSV import of components and their cells of the matrix: all or nothing.

Two steps, so that a file with one bad row writes nothing at all:

- `parse(text, *, tiers, teams, existing)` is pure (no database): it reads the whole
  file, checks every row against the names of the transition's tiers, teams and
  components, and returns an `ImportPlan`, or a `Rejected` listing every problem
  with its line number as a spreadsheet shows it (the header is line 1).
- `apply(project=..., plan=..., by=...)` writes a plan in one `project_write`, after
  checking under the project lock that every tier and team it names still exists
  (someone may have renamed one between the upload and the write).

The file: one row per component x tier, with the ten `COLUMNS`; a row whose tier and
team are both blank only declares the component. Teams are never created by an
import (a team has contacts and members the file cannot give); a transition with no
tiers gets the default ones (`services.ensure_tiers`), so the file is matched
against those names.

Names that start like a spreadsheet formula (`=`, `+`, `-`, `@`) are written to the
template with a leading apostrophe, so that opening it does not run them; `parse`
drops that apostrophe again.

Names are compared with Python's `str.casefold()` everywhere (`_key`): "ÉCLAIR" is
"éclair" and "STRASSE" is "Straße", whatever the database's LOWER() does. Two
existing names that fold to the same key (old data: SQLite's LOWER(), which the
unique constraints use, folds ASCII letters only) are never picked between at
random: a row naming them is refused until one is renamed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.core.text import and_join, plural
from apps.projects.guard import ActionRefused, attribute, project_write
from apps.projects.models import Project
from apps.support import services
from apps.support.models import (
    MAX_RESPONSE_MINUTES,
    Component,
    ComponentKind,
    Criticality,
    Hours,
    Ownership,
    SupportTeam,
    Tier,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

COLUMNS = (
    "component",
    "kind",
    "criticality",
    "tier",
    "team",
    "hours",
    "p1_minutes",
    "p2_minutes",
    "p3_minutes",
    "p4_minutes",
)
TARGET_COLUMNS = COLUMNS[6:]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_LISTED = 200
NAME_MAX_LENGTH = Component._meta.get_field("name").max_length or 120

NOT_UTF8 = "The file is not UTF-8 text: save it as CSV UTF-8 and try again."
WORKBOOK = (
    "This is a spreadsheet workbook, not a CSV file: save it as CSV UTF-8 "
    "(comma or semicolon separated) and try again."
)
TOO_LARGE = "The file is larger than 2 MiB: split it."
EMPTY = "The file is empty: download the template, fill it in and upload it."
NO_ROWS = "The file has a header but no rows: add one row per component and tier."

HOURS = {
    "business": Hours.BUSINESS,
    "business hours": Hours.BUSINESS,
    "24x7": Hours.ALWAYS,
    "24/7": Hours.ALWAYS,
}
FORMULA_START = ("=", "+", "-", "@")
WHOLE_NUMBER = re.compile(r"[0-9]+")


def _key(name: str) -> str:
    """How the import compares names, columns and choices: case-insensitively, the
    Python way, in `parse` and `apply` alike."""
    return name.casefold()


def _by_key(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Names by their `_key`; a key with more than one name is ambiguous."""
    found: dict[str, list[str]] = {}
    for name in names:
        found.setdefault(_key(name), []).append(name)
    return {key: tuple(sorted(group)) for key, group in found.items()}


def _ambiguous(names: Sequence[str], what: str, typed: str) -> str:
    count = "two" if len(names) == 2 else str(len(names))
    return f"{count} {what} match “{typed}” ({_listed(names)}): rename one"


def _choices(choices: type[ComponentKind] | type[Criticality]) -> dict[str, str]:
    """A choice by its value or its label, case-insensitive ("batch_job", "Batch job")."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[_key(value)] = value
        found[_key(str(label))] = value
    return found


KINDS = _choices(ComponentKind)
CRITICALITIES = _choices(Criticality)


# What a file says -------------------------------------------------------------------


@dataclass(frozen=True)
class CellPlan:
    """One cell of the matrix as the file sets it: `team` owns it at `tier`."""

    line: int
    tier: str  # the tier's name as the transition spells it
    team: str  # the team's name as the transition spells it
    hours: str
    p1_minutes: int | None = None
    p2_minutes: int | None = None
    p3_minutes: int | None = None
    p4_minutes: int | None = None

    def values(self) -> dict[str, object]:
        """The cell's own fields, team apart."""
        return {
            "hours": self.hours,
            "p1_minutes": self.p1_minutes,
            "p2_minutes": self.p2_minutes,
            "p3_minutes": self.p3_minutes,
            "p4_minutes": self.p4_minutes,
        }


@dataclass(frozen=True)
class ComponentPlan:
    """A component the file names; `kind`/`criticality` None: the file leaves it blank
    (the default for a new component, unchanged for an existing one)."""

    name: str
    line: int
    kind: str | None
    criticality: str | None
    cells: tuple[CellPlan, ...]


@dataclass(frozen=True)
class ImportPlan:
    components: tuple[ComponentPlan, ...]

    @property
    def cell_count(self) -> int:
        return sum(len(c.cells) for c in self.components)

    def tier_names(self) -> set[str]:
        return {cell.tier for c in self.components for cell in c.cells}

    def team_names(self) -> set[str]:
        return {cell.team for c in self.components for cell in c.cells}


@dataclass(frozen=True)
class Rejected:
    """Why nothing was imported: every problem, in the order of the file."""

    errors: tuple[str, ...]

    @property
    def listed(self) -> tuple[str, ...]:
        """The problems a page shows (a file of 2,000 bad rows is not listed in full)."""
        return self.errors[:MAX_LISTED]

    @property
    def more(self) -> int:
        return max(0, len(self.errors) - MAX_LISTED)


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int  # existing components whose kind, criticality or cells changed
    unchanged: int
    cells_set: int  # cells that had no owner, or kept theirs with new hours or targets
    cells_replaced: int  # cells whose owner the file replaced with another team
    cells_unchanged: int

    @property
    def components(self) -> int:
        return self.created + self.updated + self.unchanged

    def sentence(self) -> str:
        """ "Imported 12 components (9 new, 3 updated), set 20 cells of the matrix and
        replaced the owner of 4.": a replaced owner is told apart, since someone else
        may have set it."""
        parts = [f"{self.created} new", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        clauses = [
            f"Imported {plural(self.components, 'component', 'components')} ({', '.join(parts)})"
        ]
        replaced = self.cells_replaced
        if self.cells_set or not replaced:
            clauses.append(f"set {plural(self.cells_set, 'cell', 'cells')} of the matrix")
            if replaced:
                clauses.append(f"replaced the owner of {replaced}")
        else:
            clauses.append(f"replaced the owner of {plural(replaced, 'cell', 'cells')}")
        text = and_join(clauses)
        if self.cells_unchanged:
            already = plural(self.cells_unchanged, "cell was", "cells were")
            text += f" ({already} already as the file says)"
        return text + "."


# Reading a file (pure) ----------------------------------------------------------------


def decode(data: bytes) -> str | Rejected:
    """The text of an uploaded file: UTF-8, with or without a byte order mark."""
    if len(data) > MAX_BYTES:
        return Rejected((TOO_LARGE,))
    if data.startswith(b"PK\x03\x04"):  # a zip: .xlsx and .ods are zips
        return Rejected((WORKBOOK,))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Rejected((NOT_UTF8,))
    return text


@dataclass
class _Draft:
    """A component while the file is read: its first line, and what the lines say."""

    name: str
    line: int
    kind: tuple[str, int] | None = None  # (value, line that gave it)
    criticality: tuple[str, int] | None = None
    cells: list[CellPlan] = field(default_factory=list)
    tier_lines: dict[str, int] = field(default_factory=dict)  # tier name -> line


def parse(
    text: str | bytes,
    *,
    tiers: Sequence[str],
    teams: Iterable[str],
    existing: Iterable[str],
) -> ImportPlan | Rejected:
    """Read a whole import file and check every row; the plan, or every problem.

    `tiers`: the transition's tier names in order (none: the default tiers, which the
    import creates); `teams`, `existing`: its team and component names. Names are
    matched by `_key` and come back as the transition spells them; a row naming two
    of them at once (they differ only in case) is refused.
    """
    if isinstance(text, bytes):
        decoded = decode(text)
        if isinstance(decoded, Rejected):
            return decoded
        text = decoded
    text = text.removeprefix("\ufeff")
    if "\x00" in text:  # UTF-16 without a byte order mark decodes as "UTF-8" with NULs
        return Rejected((NOT_UTF8,))
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        return Rejected((EMPTY,))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        return Rejected((f"The file cannot be read as CSV ({error}): check its quotes.",))

    # Line numbers are row numbers, as a spreadsheet shows them (a quoted value may
    # hold a line break, which a spreadsheet keeps inside one row).
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(v.strip() for v in row)]
    if not numbered:
        return Rejected((EMPTY,))
    (header_line, header), data = numbered[0], numbered[1:]
    columns, errors = _read_header(header, header_line)
    if len(data) > MAX_ROWS:
        errors.append(
            f"The file has {len(data):,} rows; an import takes at most {MAX_ROWS:,}: split it."
        )
    elif not data:
        errors.append(NO_ROWS)
    if errors:
        return Rejected(tuple(errors))

    tier_names = list(tiers) or [name for name, _ in services.DEFAULT_TIERS]
    reader = _RowReader(
        tiers=_by_key(tier_names),
        tier_list=tier_names,
        teams=_by_key(teams),
        existing=_by_key(existing),
    )
    for line, row in data:
        errors.extend(reader.read(line, row, columns))
    if errors:
        return Rejected(tuple(errors))
    return reader.plan()


def _read_header(header: list[str], line: int) -> tuple[list[str], list[str]]:
    """The column names in file order, and what is wrong with them."""
    names = [_key(name.strip()) for name in header]
    while names and not names[-1]:  # trailing empty cells of a spreadsheet's export
        names.pop()
    errors = []
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        errors.append(
            f"Line {line}: the header has no {_listed(missing)} "
            f"{'column' if len(missing) == 1 else 'columns'} (the template has all ten)."
        )
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        shown = [f"“{name}”" if name else "(blank)" for name in unknown]
        errors.append(
            f"Line {line}: unknown {'column' if len(unknown) == 1 else 'columns'} "
            f"{', '.join(shown)}: the columns are {', '.join(COLUMNS)}."
        )
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if twice:
        errors.append(f"Line {line}: the header has {_listed(twice)} more than once.")
    return names, errors


def _listed(names: Sequence[str]) -> str:
    return and_join([f"“{name}”" for name in names])


def _name(value: str) -> str:
    """A name as typed, trimmed, without the apostrophe the template puts before a
    name that starts like a formula."""
    value = value.strip()
    if value[:1] == "'" and value[1:2] and value[1:2] in FORMULA_START:
        return value[1:]
    return value


@dataclass
class _RowReader:
    """Reads rows one by one, remembering what earlier lines said about each component."""

    tiers: dict[str, tuple[str, ...]]  # by `_key`: see `_by_key`
    tier_list: list[str]
    teams: dict[str, tuple[str, ...]]
    existing: dict[str, tuple[str, ...]]
    drafts: dict[str, _Draft] = field(default_factory=dict)  # by `_key`

    def read(self, line: int, row: list[str], columns: list[str]) -> list[str]:
        """Record `row`; the problems with it, each starting "Line N: "."""
        extra = [v for v in row[len(columns) :] if v.strip()]
        if extra:
            return [
                f"Line {line}: {len(row)} values for {len(columns)} columns: "
                "check the separators and quotes."
            ]
        values = {name: (row[i] if i < len(row) else "") for i, name in enumerate(columns)}
        problems: list[str] = []
        name = _name(values["component"])
        kind = self._choice(values["kind"], KINDS, "kind", ComponentKind, problems)
        criticality = self._choice(
            values["criticality"], CRITICALITIES, "criticality", Criticality, problems
        )
        if not name:
            problems.append("the component is blank")
        elif len(name) > NAME_MAX_LENGTH:
            problems.append(f"the component's name is longer than {NAME_MAX_LENGTH} characters")
        cell = self._cell(line, values, problems)
        if name and len(name) <= NAME_MAX_LENGTH:
            self._record(line, name, kind, criticality, cell, problems)
        return [f"Line {line}: {problem}." for problem in problems]

    def _choice(
        self,
        raw: str,
        lookup: dict[str, str],
        what: str,
        choices: type[ComponentKind] | type[Criticality],
        problems: list[str],
    ) -> str | None:
        value = raw.strip()
        if not value:
            return None
        found = lookup.get(_key(value))
        if found is None:
            labels = ", ".join(str(label) for label in choices.labels)
            problems.append(f"{what} “{value}” is not one of {labels}")
        return found

    def _cell(self, line: int, values: dict[str, str], problems: list[str]) -> CellPlan | None:
        tier_raw, team_raw = _name(values["tier"]), _name(values["team"])
        hours_raw = values["hours"].strip()
        targets: dict[str, int | None] = {}
        for column in TARGET_COLUMNS:
            targets[column] = _minutes(column, values[column], problems)
        hours = HOURS.get(_key(hours_raw), Hours.BUSINESS) if hours_raw else Hours.BUSINESS
        if hours_raw and _key(hours_raw) not in HOURS:
            problems.append(f"hours “{hours_raw}” is not business hours or 24x7 (blank: business)")
        if not tier_raw and not team_raw:
            if hours_raw or any(v is not None for v in targets.values()):
                problems.append(
                    "hours and response targets are for a cell of the matrix: "
                    "give its tier and team too"
                )
            return None
        if not tier_raw or not team_raw:
            problems.append(
                f"give both a tier and a team (the {'tier' if not tier_raw else 'team'} "
                "is blank), or neither to only list the component"
            )
            return None
        tier = self._one(
            self.tiers,
            tier_raw,
            "tiers",
            f"there is no tier called “{tier_raw}” in this transition: "
            f"the tiers are {_listed(self.tier_list)}",
            problems,
        )
        team = self._one(
            self.teams,
            team_raw,
            "teams",
            f"there is no team called “{team_raw}” in this transition: "
            "add it on the Teams page first",
            problems,
        )
        if tier is None or team is None:
            return None
        return CellPlan(
            line=line,
            tier=tier,
            team=team,
            hours=hours,
            p1_minutes=targets["p1_minutes"],
            p2_minutes=targets["p2_minutes"],
            p3_minutes=targets["p3_minutes"],
            p4_minutes=targets["p4_minutes"],
        )

    @staticmethod
    def _one(
        found: dict[str, tuple[str, ...]],
        typed: str,
        what: str,
        unknown: str,
        problems: list[str],
    ) -> str | None:
        """The one name `typed` matches, or None with the problem recorded."""
        names = found.get(_key(typed), ())
        if len(names) == 1:
            return names[0]
        problems.append(_ambiguous(names, what, typed) if names else unknown)
        return None

    def _record(
        self,
        line: int,
        name: str,
        kind: str | None,
        criticality: str | None,
        cell: CellPlan | None,
        problems: list[str],
    ) -> None:
        key = _key(name)
        known = self.existing.get(key, ())
        if len(known) > 1:
            problems.append(_ambiguous(known, "components", name))
            return
        draft = self.drafts.get(key)
        if draft is None:
            draft = self.drafts[key] = _Draft(name=known[0] if known else name, line=line)
        # Blank is "not said here", not a different value: only two given values conflict.
        for attribute_name, value, choices in (
            ("kind", kind, ComponentKind),
            ("criticality", criticality, Criticality),
        ):
            if value is None:
                continue
            said: tuple[str, int] | None = getattr(draft, attribute_name)
            if said is None:
                setattr(draft, attribute_name, (value, line))
            elif said[0] != value:
                problems.append(
                    f"{attribute_name} of “{draft.name}” is “{choices(said[0]).label}” "
                    f"on line {said[1]} and “{choices(value).label}” here: give it one "
                    f"{attribute_name}"
                )
        if cell is None:
            return
        earlier = draft.tier_lines.get(cell.tier)
        if earlier is not None:
            problems.append(
                f"“{draft.name}” at “{cell.tier}” is already on line {earlier}: "
                "one row per component and tier"
            )
            return
        draft.tier_lines[cell.tier] = line
        draft.cells.append(cell)

    def plan(self) -> ImportPlan:
        return ImportPlan(
            tuple(
                ComponentPlan(
                    name=d.name,
                    line=d.line,
                    kind=d.kind[0] if d.kind else None,
                    criticality=d.criticality[0] if d.criticality else None,
                    cells=tuple(d.cells),
                )
                for d in self.drafts.values()
            )
        )


def _minutes(column: str, raw: str, problems: list[str]) -> int | None:
    value = raw.strip()
    if not value:
        return None
    if WHOLE_NUMBER.fullmatch(value) and 1 <= int(value) <= MAX_RESPONSE_MINUTES:
        return int(value)
    problems.append(
        f"{column} “{value}” is not a whole number of minutes from 1 to "
        f"{MAX_RESPONSE_MINUTES:,} (30 days), or blank"
    )
    return None


# Writing a plan ----------------------------------------------------------------------

CELL_UPDATE_FIELDS = [*services.CELL_FIELDS, "updated_at"]

Named = TypeVar("Named", Component, Tier, SupportTeam)


def apply(*, project: Project, plan: ImportPlan, by: User | None) -> ImportSummary:
    """Write `plan` in one transaction under the project lock, or nothing.

    Components are matched by name (`_key`) as they stand under the lock, so one
    created since the upload is updated, not duplicated. Cells the file names are set
    (created or replaced, whoever set them before: the import is a deliberate
    overwrite, kept in the audit history, and the summary counts the replaced owners
    apart); cells it does not name are left as they are. Rows that would not change
    are not written, so their history stays quiet. Raises `ActionRefused` (nothing
    written) when a tier or team the plan names was removed or renamed in the
    meantime, or when a name now matches several rows.
    """
    with project_write(project.pk, by=by) as locked:
        services.ensure_tiers(project=locked, by=by)
        tiers = _resolve("tier", plan.tier_names(), Tier.objects.filter(project=locked))
        teams = _resolve("team", plan.team_names(), SupportTeam.objects.filter(project=locked))
        now = timezone.now()

        found = _rows_by_key(Component.objects.select_for_update().filter(project=locked))
        rows: dict[str, Component] = {}  # by the plan's name
        new: list[Component] = []
        changed: list[Component] = []
        for item in plan.components:
            row = _one(found, item.name, "components")
            if row is None:
                row = Component(
                    project=locked,
                    name=item.name,
                    kind=item.kind or ComponentKind.APPLICATION,
                    criticality=item.criticality or Criticality.NORMAL,
                )
                attribute(row, by)
                new.append(row)
            else:
                wanted = (item.kind or row.kind, item.criticality or row.criticality)
                if (row.kind, row.criticality) != wanted:
                    row.kind, row.criticality = wanted
                    row.updated_at = now  # bulk_update does not apply auto_now
                    attribute(row, by)
                    changed.append(row)
            rows[item.name] = row
        bulk_create_with_history(new, Component, default_user=by)
        bulk_update_with_history(
            changed, Component, ["kind", "criticality", "updated_at"], default_user=by
        )
        # Fresh ids for every component the file names (new ones included, whatever
        # the database returns from a bulk insert); names are unique as spelled.
        ids = dict(Component.objects.filter(project=locked).values_list("name", "pk"))

        cells = {
            (c.component_id, c.tier_id): c
            for c in Ownership.objects.select_for_update().filter(project=locked)
        }
        new_cells: list[Ownership] = []
        changed_cells: list[Ownership] = []
        replaced = 0
        touched: set[int] = {row.pk for row in changed}
        for item in plan.components:
            component_id = ids[rows[item.name].name]
            for cell_plan in item.cells:
                tier, team = tiers[cell_plan.tier], teams[cell_plan.team]
                values = cell_plan.values()
                cell = cells.get((component_id, tier.pk))
                if cell is None:
                    cell = Ownership(
                        project=locked, component_id=component_id, tier=tier, team=team, **values
                    )
                    attribute(cell, by)
                    new_cells.append(cell)
                    touched.add(component_id)
                    continue
                same = cell.team_id == team.pk and all(
                    getattr(cell, name) == value for name, value in values.items()
                )
                if same:
                    continue
                if cell.team_id != team.pk:
                    replaced += 1
                cell.team = team
                for name, value in values.items():
                    setattr(cell, name, value)
                cell.updated_at = now
                attribute(cell, by)
                changed_cells.append(cell)
                touched.add(component_id)
        bulk_create_with_history(new_cells, Ownership, default_user=by)
        bulk_update_with_history(changed_cells, Ownership, CELL_UPDATE_FIELDS, default_user=by)

    new_ids = {ids[row.name] for row in new}
    updated = len(touched - new_ids)
    written = len(new_cells) + len(changed_cells)
    return ImportSummary(
        created=len(new),
        updated=updated,
        unchanged=len(plan.components) - len(new) - updated,
        cells_set=written - replaced,
        cells_replaced=replaced,
        cells_unchanged=plan.cell_count - written,
    )


def _rows_by_key(rows: Iterable[Named]) -> dict[str, list[Named]]:
    found: dict[str, list[Named]] = {}
    for row in rows:
        found.setdefault(_key(row.name), []).append(row)
    return found


def _one(found: dict[str, list[Named]], name: str, what: str) -> Named | None:
    """The row `name` (as `parse` spelled it) stands for: the only one of its key, or
    the one spelled exactly so among several; None when there is none.

    Several rows and none spelled so: refused, never a pick at random.
    """
    rows = found.get(_key(name), [])
    if len(rows) > 1:
        exact = [row for row in rows if row.name == name]
        if len(exact) != 1:
            names = sorted(row.name for row in rows)
            raise ActionRefused(f"Nothing was imported: {_ambiguous(names, what, name)}.")
        rows = exact
    return rows[0] if rows else None


def _resolve(what: str, named: Iterable[str], rows: Iterable[Named]) -> dict[str, Named]:
    """The row each of the plan's names stands for, as the rows stand under the lock;
    `ActionRefused` when one is gone."""
    found = _rows_by_key(rows)
    resolved: dict[str, Named] = {}
    gone = []
    for name in named:
        row = _one(found, name, f"{what}s")
        if row is None:
            gone.append(name)
        else:
            resolved[name] = row
    if gone:
        gone.sort()
        named_gone = f"{what} {_listed(gone)} no longer exists"
        if len(gone) > 1:
            named_gone = f"{what}s {_listed(gone)} no longer exist"
        raise ActionRefused(
            f"The {named_gone} in this transition "
            "(removed or renamed since the file was checked): nothing was imported. "
            "Check the file and import it again."
        )
    return resolved
