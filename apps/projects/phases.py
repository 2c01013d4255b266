"""Phase rules, as pure functions over plain facts (no ORM, no clock).

`services.project_change_phase` gathers the `PhaseFacts` under the project lock
and asks `move_blockers`; the transition page asks the same function to explain
why a move button is disabled, so the page and the service never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.projects.models import Phase

# Phase moves a lead may make; everything else is refused. Moving back one step is
# allowed before BAU (a go-live that slipped); cancelling is possible until BAU; a
# cancelled transition can be reopened into planning.
PHASE_MOVES: dict[str, tuple[str, ...]] = {
    Phase.PLANNING: (Phase.READINESS, Phase.CANCELLED),
    Phase.READINESS: (Phase.PLANNING, Phase.HYPERCARE, Phase.CANCELLED),
    Phase.HYPERCARE: (Phase.READINESS, Phase.BAU, Phase.CANCELLED),
    Phase.BAU: (),
    Phase.CANCELLED: (Phase.PLANNING,),
}


@dataclass(frozen=True)
class PhaseFacts:
    """What the phase rules need to know about one transition."""

    go_live_date: dt.date | None
    criteria_total: int
    criteria_unsigned: int


def allowed_moves(current: str) -> tuple[str, ...]:
    return PHASE_MOVES.get(current, ())


def move_blockers(current: str, to: str, facts: PhaseFacts) -> list[str]:
    """Why a transition in `current` may not move to `to`; empty when it may."""
    if to not in Phase.values:
        return [f"{to!r} is not a phase."]
    if to == current:
        return [f"The transition is already in {Phase(to).label}."]
    if to not in allowed_moves(current):
        allowed = ", ".join(Phase(p).label for p in allowed_moves(current)) or "none"
        return [
            f"A transition in {Phase(current).label} cannot move to {Phase(to).label} "
            f"(possible: {allowed})."
        ]
    reasons: list[str] = []
    if to == Phase.HYPERCARE and facts.go_live_date is None:
        reasons.append("Set the go-live date before starting hypercare.")
    if to == Phase.BAU:
        if facts.criteria_total == 0:
            reasons.append(
                "No acceptance criteria are defined: operations has nothing to sign off yet."
            )
        elif facts.criteria_unsigned:
            reasons.append(
                f"{facts.criteria_unsigned} of {facts.criteria_total} acceptance criteria "
                "are not signed off by operations."
            )
    return reasons
