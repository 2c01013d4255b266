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
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
TOO_LARGE = "The file is larger than 2 MiB: split it into smaller files."
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


def _choices(choices: type[ComponentKind] | type[Criticality]) -> dict[str, str]:
    """A choice by its value or its label, case-insensitive ("batch_job", "Batch job")."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[value.lower()] = value
        found[str(label).lower()] = value
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
    cells_set: int  # cells created or changed
    cells_unchanged: int

    @property
    def components(self) -> int:
        return self.created + self.updated + self.unchanged

    def sentence(self) -> str:
        """ "Imported 12 components (9 new, 3 updated) and set 30 cells of the matrix." """
        parts = [f"{self.created:,} new", f"{self.updated:,} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        text = (
            f"Imported {_plural(self.components, 'component', 'components')} "
            f"({', '.join(parts)}) and set "
            f"{_plural(self.cells_set, 'cell', 'cells')} of the matrix"
        )
        if self.cells_unchanged:
            already = _plural(self.cells_unchanged, "cell was", "cells were")
            text += f" ({already} already as the file says)"
        return text + "."


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


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
    matched case-insensitively and come back as the transition spells them.
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
        tiers={name.lower(): name for name in tier_names},
        tier_list=tier_names,
        teams={name.lower(): name for name in teams},
        existing={name.lower(): name for name in existing},
    )
    for line, row in data:
        errors.extend(reader.read(line, row, columns))
    if errors:
        return Rejected(tuple(errors))
    return reader.plan()


def _read_header(header: list[str], line: int) -> tuple[list[str], list[str]]:
    """The column names in file order, and what is wrong with them."""
    names = [name.strip().lower() for name in header]
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
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


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

    tiers: dict[str, str]
    tier_list: list[str]
    teams: dict[str, str]
    existing: dict[str, str]
    drafts: dict[str, _Draft] = field(default_factory=dict)

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
        found = lookup.get(value.lower())
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
        hours = HOURS.get(hours_raw.lower(), Hours.BUSINESS) if hours_raw else Hours.BUSINESS
        if hours_raw and hours_raw.lower() not in HOURS:
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
        tier = self.tiers.get(tier_raw.lower())
        if tier is None:
            problems.append(
                f"there is no tier called “{tier_raw}” in this transition: "
                f"the tiers are {_listed(self.tier_list)}"
            )
        team = self.teams.get(team_raw.lower())
        if team is None:
            problems.append(
                f"there is no team called “{team_raw}” in this transition: "
                "add it on the Teams page first"
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

    def _record(
        self,
        line: int,
        name: str,
        kind: str | None,
        criticality: str | None,
        cell: CellPlan | None,
        problems: list[str],
    ) -> None:
        key = name.lower()
        draft = self.drafts.get(key)
        if draft is None:
            draft = self.drafts[key] = _Draft(name=self.existing.get(key, name), line=line)
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


def apply(*, project: Project, plan: ImportPlan, by: User | None) -> ImportSummary:
    """Write `plan` in one transaction under the project lock, or nothing.

    Components are matched by name (case-insensitive) as they stand under the lock,
    so one created since the upload is updated, not duplicated. Cells the file names
    are set (created or replaced, whoever set them before: the import is a deliberate
    overwrite, kept in the audit history); cells it does not name are left as they
    are. Rows that would not change are not written, so their history stays quiet.
    Raises `ActionRefused` (nothing written) when a tier or team the plan names was
    removed or renamed in the meantime.
    """
    with project_write(project.pk, by=by) as locked:
        services.ensure_tiers(locked, by=by)
        tiers = {t.name.lower(): t for t in Tier.objects.filter(project=locked)}
        teams = {t.name.lower(): t for t in SupportTeam.objects.filter(project=locked)}
        _refuse_missing("tier", plan.tier_names(), tiers)
        _refuse_missing("team", plan.team_names(), teams)
        now = timezone.now()

        components = {
            c.name.lower(): c for c in Component.objects.select_for_update().filter(project=locked)
        }
        new: list[Component] = []
        changed: list[Component] = []
        for item in plan.components:
            row = components.get(item.name.lower())
            if row is None:
                row = Component(
                    project=locked,
                    name=item.name,
                    kind=item.kind or ComponentKind.APPLICATION,
                    criticality=item.criticality or Criticality.NORMAL,
                )
                attribute(row, by)
                new.append(row)
                continue
            wanted = (item.kind or row.kind, item.criticality or row.criticality)
            if (row.kind, row.criticality) != wanted:
                row.kind, row.criticality = wanted
                row.updated_at = now  # bulk_update does not apply auto_now
                attribute(row, by)
                changed.append(row)
        bulk_create_with_history(new, Component, default_user=by)
        bulk_update_with_history(
            changed, Component, ["kind", "criticality", "updated_at"], default_user=by
        )
        # Fresh ids for every component the file names (new ones included, whatever
        # the database returns from a bulk insert).
        ids = {
            name.lower(): pk
            for name, pk in Component.objects.filter(project=locked).values_list("name", "pk")
        }

        cells = {
            (c.component_id, c.tier_id): c
            for c in Ownership.objects.select_for_update().filter(project=locked)
        }
        new_cells: list[Ownership] = []
        changed_cells: list[Ownership] = []
        touched: set[int] = {row.pk for row in changed}
        for item in plan.components:
            component_id = ids[item.name.lower()]
            for cell_plan in item.cells:
                tier, team = tiers[cell_plan.tier.lower()], teams[cell_plan.team.lower()]
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
                cell.team = team
                for name, value in values.items():
                    setattr(cell, name, value)
                cell.updated_at = now
                attribute(cell, by)
                changed_cells.append(cell)
                touched.add(component_id)
        bulk_create_with_history(new_cells, Ownership, default_user=by)
        bulk_update_with_history(changed_cells, Ownership, CELL_UPDATE_FIELDS, default_user=by)

    new_ids = {ids[row.name.lower()] for row in new}
    updated = len(touched - new_ids)
    return ImportSummary(
        created=len(new),
        updated=updated,
        unchanged=len(plan.components) - len(new) - updated,
        cells_set=len(new_cells) + len(changed_cells),
        cells_unchanged=plan.cell_count - len(new_cells) - len(changed_cells),
    )


def _refuse_missing(
    what: str, named: Iterable[str], rows: dict[str, Tier] | dict[str, SupportTeam]
) -> None:
    gone = sorted(name for name in named if name.lower() not in rows)
    if gone:
        raise ActionRefused(
            f"The {what} {_listed(gone)} no longer exists in this transition "
            "(removed or renamed since the file was checked): nothing was imported. "
            "Check the file and import it again."
        )
