"""The answer to "Who do I call?": for a component and a priority, the ordered contacts.

First the component's owners tier by tier (with their hours and the response target
for that priority; a tier without an owner falls to the catch-all owner), then the
escalation path's levels in order, each with when to escalate to it. During
hypercare the hypercare path is used when it has levels.

`answer(...)` is a plain function over rows the view has loaded, so it costs no
queries of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.core import text
from apps.support.models import (
    Component,
    EscalationLevel,
    Hours,
    Ownership,
    Path,
    Priority,
    SupportTeam,
    Tier,
    reach,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

PRIORITY_ORDER = {p: n for n, p in enumerate(Priority.values)}


@dataclass(frozen=True)
class Call:
    """One step of the answer: whom to call, how, and when."""

    step: str  # "L1 Service desk", "Level 2"
    team: SupportTeam | None
    person: User | None = None
    means: list[tuple[str, str]] = field(default_factory=list)
    people: Sequence[User] = ()
    hours: str = ""  # "Business hours" / "24x7", for an owner
    target_minutes: int | None = None
    when: str = ""
    now: bool = False  # an escalation level to call at once for this priority
    note: str = ""
    warning: str = ""  # e.g. "No owner at L2: the catch-all takes it"


@dataclass(frozen=True)
class Answer:
    component: Component
    priority: str
    owners: list[Call]
    path: str  # the escalation path used
    escalation: list[Call]
    hypercare_fallback: bool  # in hypercare, but no hypercare path: the standard one


def answer(
    *,
    component: Component,
    priority: str,
    tiers: Sequence[Tier],
    cells: Sequence[Ownership],
    catch_all: SupportTeam | None,
    levels: Sequence[EscalationLevel],
    in_hypercare: bool,
    member_ids: Collection[int],
) -> Answer:
    """`cells` are the component's; `levels` every level of both paths, in order;
    teams' `members` prefetched (the transition's current members only);
    `member_ids` the transition's current members, so a level naming someone who left
    says so rather than giving their address."""
    by_tier = {cell.tier_id: cell for cell in cells}
    owners = []
    if not tiers:
        owners.append(_no_tiers(catch_all))
    for tier in tiers:
        cell = by_tier.get(tier.pk)
        if cell is not None:
            owners.append(
                Call(
                    step=tier.name,
                    team=cell.team,
                    means=reach(cell.team),
                    people=list(cell.team.members.all()),
                    hours=Hours(cell.hours).label,
                    target_minutes=cell.target(priority),
                )
            )
        elif catch_all is not None:
            owners.append(
                Call(
                    step=tier.name,
                    team=catch_all,
                    means=reach(catch_all),
                    people=list(catch_all.members.all()),
                    warning=f"No owner at {tier.name}: the catch-all owner takes it.",
                )
            )
        else:
            owners.append(
                Call(
                    step=tier.name,
                    team=None,
                    warning=f"No owner at {tier.name}, and no catch-all owner.",
                )
            )
    hypercare = [lv for lv in levels if lv.path == Path.HYPERCARE]
    use_hypercare = in_hypercare and bool(hypercare)
    path_levels = hypercare if use_hypercare else [lv for lv in levels if lv.path == Path.STANDARD]
    escalation = [
        _level_call(n, level, priority, member_ids) for n, level in enumerate(path_levels, start=1)
    ]
    return Answer(
        component=component,
        priority=priority,
        owners=owners,
        path=Path.HYPERCARE if use_hypercare else Path.STANDARD,
        escalation=escalation,
        hypercare_fallback=in_hypercare and not hypercare,
    )


def _no_tiers(catch_all: SupportTeam | None) -> Call:
    if catch_all is None:
        return Call(step="Any tier", team=None, warning="No support tiers, and no catch-all owner.")
    return Call(
        step="Any tier",
        team=catch_all,
        means=reach(catch_all),
        people=list(catch_all.members.all()),
        warning="No support tiers: the catch-all owner takes it.",
    )


def _level_call(n: int, level: EscalationLevel, priority: str, member_ids: Collection[int]) -> Call:
    now = bool(level.on_priority) and PRIORITY_ORDER[priority] <= PRIORITY_ORDER[level.on_priority]
    people: list[User] = []
    left = level.person is not None and level.person_id not in member_ids
    if level.person is not None and not left:
        people.append(level.person)
    if level.team is not None:
        people += [p for p in level.team.members.all() if p.pk != level.person_id]
    return Call(
        step=f"Level {n}",
        team=level.team,
        person=level.person,
        means=level.means,
        people=people,
        when=when(level, first=n == 1),
        now=now,
        note=level.note,
        warning=f"{level.person} is no longer a member of this transition." if left else "",
    )


def when(level: EscalationLevel, *, first: bool) -> str:
    """ "First call", "After 30 min", "At once for P1; else after 2 h"."""
    parts = []
    if level.on_priority:
        higher = "" if level.on_priority == Priority.P1 else " or higher"
        parts.append(f"At once for {level.on_priority}{higher}")
    if level.after_minutes is not None:
        parts.append(f"after {text.minutes(level.after_minutes)}")
    if not parts:
        return "First call" if first else "When the level before cannot resolve it"
    sentence = "; otherwise ".join(parts) if len(parts) == 2 else parts[0]
    return sentence[0].upper() + sentence[1:]
