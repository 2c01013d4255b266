"""Writes to a transition's support model; each keeps the data valid or changes nothing.

Every write goes through `guard.project_write` (project row locked first, closed
transitions refused, the summary and so the "Support model" gate recomputed).
A refused write raises `ActionRefused` with a sentence a person can act on.

The first write to a support model that has no tiers creates the default tiers
(`DEFAULT_TIERS`), which the lead can then rename, reorder or remove.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Model, QuerySet

from apps.core.concurrency import parse_version, version_of
from apps.core.text import and_join
from apps.projects.guard import (
    ActionRefused,
    EditConflict,
    attribute,
    project_write,
    refuse_stale_edit,
)
from apps.projects.models import Membership, Project
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

DEFAULT_TIERS = (
    ("L1 Service desk", "First contact: logs and triages, fixes what the runbook covers."),
    ("L2 Application support", "Diagnoses and fixes the application and its data."),
    ("L3 Engineering / vendor", "Changes the code or the product; the vendor's support."),
)

COMPONENT_FIELDS = ("name", "kind", "criticality", "description")
TIER_FIELDS = ("name", "description")
TEAM_FIELDS = ("name", "email", "phone", "chat", "pager", "in_scope", "out_of_scope")
LEVEL_FIELDS = (
    "path",
    "team",
    "person",
    "phone",
    "email",
    "chat",
    "pager",
    "after_minutes",
    "on_priority",
    "note",
)
CELL_FIELDS = ("team", "hours", "p1_minutes", "p2_minutes", "p3_minutes", "p4_minutes")

UP = "up"
DOWN = "down"


def ensure_tiers(*, project: Project, by: User | None) -> None:
    """Create the default tiers when `project` has none (inside `project_write`).

    Called when a transition gets its first component (and by the CSV import), so a
    lead who removed every tier on purpose does not see them come back."""
    if Tier.objects.filter(project=project).exists():
        return
    for position, (name, description) in enumerate(DEFAULT_TIERS, start=1):
        tier = Tier(project=project, position=position, name=name, description=description)
        attribute(tier, by)
        tier.save()


def _save_unique(row: Model, message: str) -> None:
    """Save `row`; a name already taken (a unique constraint) is refused with `message`."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ActionRefused(message) from None


def _check_stale(
    row: Model, fields: Sequence[str], seen_version: dt.datetime | None, model: type[Model]
) -> None:
    if row.pk:
        current = model._default_manager.select_for_update().get(pk=row.pk)
        yours = {name: getattr(row, name) for name in fields}
        refuse_stale_edit(current, seen=seen_version, fields=fields, yours=yours)


# Components ----------------------------------------------------------------------


def component_save(
    *, component: Component, by: User, seen_version: dt.datetime | None = None
) -> Component:
    with project_write(component.project_id, by=by) as project:
        _check_stale(component, COMPONENT_FIELDS, seen_version, Component)
        if not Component.objects.filter(project=project).exists():
            ensure_tiers(project=project, by=by)
        attribute(component, by)
        _save_unique(component, f"There is already a component called “{component.name}”.")
    return component


def component_delete(*, component: Component, by: User) -> None:
    """Delete a component and its cells of the matrix (kept in the audit history)."""
    with project_write(component.project_id, by=by):
        for cell in Ownership.objects.filter(component=component):
            attribute(cell, by)
            cell.delete()
        attribute(component, by)
        component.delete()


# Tiers ---------------------------------------------------------------------------


def tier_save(*, tier: Tier, by: User, seen_version: dt.datetime | None = None) -> Tier:
    with project_write(tier.project_id, by=by):
        _check_stale(tier, TIER_FIELDS, seen_version, Tier)
        if not tier.pk:
            last = Tier.objects.filter(project_id=tier.project_id).aggregate(n=Max("position"))
            tier.position = (last["n"] or 0) + 1
        else:  # the position as it stands under the lock (a move may have changed it)
            tier.position = Tier.objects.get(pk=tier.pk).position
        attribute(tier, by)
        _save_unique(tier, f"There is already a tier called “{tier.name}”.")
    return tier


def tier_delete(*, tier: Tier, by: User) -> None:
    """Delete a tier and its cells of the matrix; the tiers after it move up."""
    with project_write(tier.project_id, by=by):
        for cell in Ownership.objects.filter(tier=tier):
            attribute(cell, by)
            cell.delete()
        attribute(tier, by)
        tier.delete()
        _renumber(Tier.objects.filter(project_id=tier.project_id), by=by)


def tier_move(*, tier: Tier, direction: str, by: User) -> None:
    with project_write(tier.project_id, by=by):
        _move(Tier.objects.filter(project_id=tier.project_id), tier.pk, direction, by=by)


# Teams ---------------------------------------------------------------------------


def _refuse_non_members(project: Project, people: Iterable[User]) -> None:
    ids = {p.pk for p in people}
    if not ids:
        return
    known = set(
        Membership.objects.filter(project=project, user__in=ids).values_list("user", flat=True)
    )
    strangers = ids - known
    if strangers:
        raise ActionRefused(
            "Team members and named contacts must be members of this transition: "
            "add them on the Members page first."
        )


def team_save(
    *,
    team: SupportTeam,
    members: Sequence[User],
    by: User,
    seen_version: dt.datetime | None = None,
    members_seen: frozenset[int] | None = None,
) -> SupportTeam:
    """Add or save a team and its members. `members_seen`: the members the edit form
    showed; when someone changed them since, and this save would change them
    differently, it is refused (`EditConflict`), never a silent overwrite."""
    with project_write(team.project_id, by=by) as project:
        _check_stale(team, TEAM_FIELDS, seen_version, SupportTeam)
        if team.pk and members_seen is not None:
            _refuse_stale_members(team, members_seen, {m.pk for m in members})
        _refuse_non_members(project, members)
        attribute(team, by)
        _save_unique(team, f"There is already a team called “{team.name}”.")
        team.members.set(members)
    return team


def _refuse_stale_members(team: SupportTeam, seen: frozenset[int], yours: set[int]) -> None:
    current = SupportTeam.objects.select_for_update().get(pk=team.pk)
    now = {u.pk: u for u in current.members.all()}
    if set(now) == seen or set(now) == yours:
        return
    names = and_join([str(u) for u in now.values()]) or "nobody"
    raise EditConflict(
        [
            f"The members of {current.name} were changed after you opened the form: they "
            f"are now {names}. Review them and save again."
        ],
        version=version_of(current),
    )


def _team_here(project: Project, team: SupportTeam) -> SupportTeam:
    """`team` as it stands under the lock, or a refusal when it is not (or no longer) a
    team of `project`: a form read before someone removed it must not point at it."""
    locked = SupportTeam.objects.select_for_update().filter(pk=team.pk, project=project).first()
    if locked is None:
        raise ActionRefused(f"The team “{team.name}” was removed meanwhile: reload the page.")
    return locked


def team_remove(*, team: SupportTeam, successor: SupportTeam | None, by: User) -> None:
    """Remove `team`; whatever it owns goes to `successor`, which must be named when it
    owns anything (no silent orphaning)."""
    with project_write(team.project_id, by=by) as project:
        team = _team_here(project, team)
        holdings = team.holdings()
        if successor is not None and (
            successor.pk == team.pk or successor.project_id != team.project_id
        ):
            raise ActionRefused("Choose another team of this transition to take over.")
        if successor is not None:
            successor = _team_here(project, successor)
        if any(holdings.values()) and successor is None:
            raise ActionRefused(
                f"{team.holdings_sentence(holdings)} Choose the team that takes over "
                "before removing it."
            )
        if successor is not None:
            for row in [
                *Ownership.objects.filter(team=team),
                *EscalationLevel.objects.filter(team=team),
                *SupportSettings.objects.filter(catch_all=team),
            ]:
                field = "catch_all" if isinstance(row, SupportSettings) else "team"
                setattr(row, field, successor)
                attribute(row, by)
                row.save()
        attribute(team, by)
        team.delete()


def catch_all_set(*, project: Project, team: SupportTeam | None, by: User) -> SupportSettings:
    if team is not None and team.project_id != project.pk:
        raise ActionRefused("Choose a team of this transition.")
    with project_write(project.pk, by=by) as locked:
        if team is not None:
            team = _team_here(locked, team)
        settings = SupportSettings.objects.select_for_update().filter(project=locked).first()
        if settings is None:
            settings = SupportSettings(project=locked)
        if settings.pk is None or settings.catch_all_id != (team.pk if team else None):
            settings.catch_all = team
            attribute(settings, by)
            settings.save()
    return settings


# The matrix ----------------------------------------------------------------------


def cell_set(
    *,
    project: Project,
    component: Component,
    tier: Tier,
    values: Mapping[str, Any] | None,
    by: User,
    seen_version: str,
) -> Ownership | None:
    """Set the owner of one cell (`values`: team, hours and p1..p4_minutes), or clear it
    (`values` None).

    `seen_version` is the cell's version when the form was read ("" for a cell that
    had no owner): a cell someone else set meanwhile is refused, never overwritten.
    """
    if component.project_id != project.pk or tier.project_id != project.pk:
        raise ActionRefused("That cell is not part of this transition's matrix.")
    if values is not None and values["team"].project_id != project.pk:
        raise ActionRefused("Choose a team of this transition.")
    with project_write(project.pk, by=by) as locked:
        if values is not None:
            values = {**values, "team": _team_here(locked, values["team"])}
        cell = (
            Ownership.objects.select_for_update()
            .select_related("team")
            .filter(component=component, tier=tier)
            .first()
        )
        _refuse_stale_cell(cell, seen_version, values, component, tier)
        if values is None:
            if cell is not None:
                attribute(cell, by)
                cell.delete()
            return None
        if cell is None:
            cell = Ownership(project=project, component=component, tier=tier)
        elif all(getattr(cell, name) == values[name] for name in CELL_FIELDS):
            return cell  # unchanged: nothing written to the history
        for name in CELL_FIELDS:
            setattr(cell, name, values[name])
        attribute(cell, by)
        cell.save()
    return cell


def _refuse_stale_cell(
    cell: Ownership | None,
    seen_version: str,
    values: Mapping[str, Any] | None,
    component: Component,
    tier: Tier,
) -> None:
    where = f"{component.name} at {tier.name}"
    if cell is None:
        if seen_version:
            raise ActionRefused(
                f"Someone cleared {where} after you opened it: reload and set it again."
            )
        return
    if not seen_version:
        raise ActionRefused(
            f"{cell.team.name} was made owner of {where} after you opened it: "
            "reload to see it before changing it."
        )
    if values is None:
        if seen_version != version_of(cell):
            raise ActionRefused(f"{where} was changed after you opened it: reload and try again.")
        return
    refuse_stale_edit(cell, seen=parse_version(seen_version), fields=CELL_FIELDS, yours=values)


# The escalation path ---------------------------------------------------------------


def level_save(
    *, level: EscalationLevel, by: User, seen_version: dt.datetime | None = None
) -> EscalationLevel:
    """Add a level at the end of its path, or save an edit (a level moved to the other
    path goes to its end, and the path it left closes up)."""
    with project_write(level.project_id, by=by) as project:
        if level.team is not None and level.team.project_id != project.pk:
            raise ActionRefused("Choose a team of this transition.")
        if level.person is not None:
            _refuse_non_members(project, [level.person])
        if level.team is None and level.person is None:
            raise ActionRefused("Name the team or the person to call at this level.")
        if level.team is not None:
            level.team = _team_here(project, level.team)
        _check_stale(level, LEVEL_FIELDS, seen_version, EscalationLevel)
        left = None
        if level.pk:
            # The position as it stands under the lock, not as the form read it (a level
            # deleted meanwhile has moved this one up).
            before = EscalationLevel.objects.get(pk=level.pk)
            if before.path != level.path:
                left = before.path
            else:
                level.position = before.position
        if not level.pk or left is not None:
            last = EscalationLevel.objects.filter(project=project, path=level.path).aggregate(
                n=Max("position")
            )
            level.position = (last["n"] or 0) + 1
        attribute(level, by)
        level.save()
        if left is not None:
            _renumber(EscalationLevel.objects.filter(project=project, path=left), by=by)
    return level


def level_delete(*, level: EscalationLevel, by: User) -> None:
    with project_write(level.project_id, by=by):
        attribute(level, by)
        level.delete()
        _renumber(
            EscalationLevel.objects.filter(project_id=level.project_id, path=level.path), by=by
        )


def level_move(*, level: EscalationLevel, direction: str, by: User) -> None:
    with project_write(level.project_id, by=by):
        siblings = EscalationLevel.objects.filter(project_id=level.project_id, path=level.path)
        _move(siblings, level.pk, direction, by=by)


# Ordering ------------------------------------------------------------------------


def _move(rows: QuerySet[Any], pk: int, direction: str, *, by: User) -> None:
    """Swap the row `pk` with its neighbour before (`UP`) or after (`DOWN`) it; at an end,
    nothing changes."""
    if direction not in (UP, DOWN):
        raise ActionRefused("Move a row up or down.")
    ordered = list(rows.select_for_update().order_by("position", "pk"))
    index = next((i for i, row in enumerate(ordered) if row.pk == pk), None)
    if index is None:
        raise ActionRefused("That row no longer exists: reload the page.")
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _number(ordered, by=by)


def _renumber(rows: QuerySet[Any], *, by: User) -> None:
    _number(list(rows.select_for_update().order_by("position", "pk")), by=by)


def _number(ordered: Sequence[Any], *, by: User) -> None:
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            attribute(row, by)
            row.save(update_fields=["position", "updated_at"])
