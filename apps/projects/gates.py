"""The go-live gates, one line per app, and the verdict they compose into.

Adding a gate app means adding one `Gate(...)` line to `GATES`: its
`readiness.assess(project, today=...)` returns an `apps.core.readiness.GateResult`.
The composition (`verdict`) is a pure function over the results; the apps never
import each other for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apps.core.readiness import GateResult
from apps.projects import readiness as acceptance
from apps.projects.models import Project


@dataclass(frozen=True)
class Gate:
    key: str
    title: str
    assess: Callable[..., GateResult]  # assess(project, *, today) -> GateResult


GATES: tuple[Gate, ...] = (
    Gate(acceptance.KEY, acceptance.TITLE, acceptance.assess),
    # Each gate app adds its one line here, e.g. Gate("support", "Support model", ...).
)


READY = "ready"
BLOCKED = "blocked"


def assess_all(project: Project, *, today: dt.date) -> list[GateResult]:
    """Every registered gate's result for `project`, in registry order."""
    return [gate.assess(project, today=today) for gate in GATES]


def verdict(results: Sequence[GateResult]) -> str:
    """`ready` when no gate has a blocking finding, else `blocked`."""
    return READY if all(r.passed for r in results) else BLOCKED


def score(results: Sequence[GateResult]) -> int:
    """The mean of the gates' scores (0-100); 100 with no gates."""
    return sum(r.score for r in results) // len(results) if results else 100
