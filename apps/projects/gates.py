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
from apps.monitoring import readiness as monitoring
from apps.projects import readiness as acceptance
from apps.projects.models import Project
from apps.runbooks import readiness as runbooks
from apps.support import readiness as support


@dataclass(frozen=True)
class Gate:
    key: str
    title: str
    assess: Callable[..., GateResult]  # assess(project, *, today) -> GateResult
    # Optional: the same results for many transitions in a fixed number of queries,
    # assess_many(projects, *, today) -> {project_id: GateResult}, for bulk work
    # (seed_scale). Without it, `assess` runs once per transition.
    assess_many: Callable[..., dict[int, GateResult]] | None = None


GATES: tuple[Gate, ...] = (
    Gate(acceptance.KEY, acceptance.TITLE, acceptance.assess, acceptance.assess_many),
    Gate(support.KEY, support.TITLE, support.assess, support.assess_many),
    Gate(runbooks.KEY, runbooks.TITLE, runbooks.assess, runbooks.assess_many),
    Gate(monitoring.KEY, monitoring.TITLE, monitoring.assess, monitoring.assess_many),
)


READY = "ready"
BLOCKED = "blocked"


def assess_all(project: Project, *, today: dt.date) -> list[GateResult]:
    """Every registered gate's result for `project`, in registry order."""
    return [gate.assess(project, today=today) for gate in GATES]


def assess_all_many(projects: Sequence[Project], *, today: dt.date) -> dict[int, list[GateResult]]:
    """`assess_all` for each of `projects`, keyed by project id; the same results."""
    results: dict[int, list[GateResult]] = {p.pk: [] for p in projects}
    for gate in GATES:
        if gate.assess_many is not None:
            assessed = gate.assess_many(projects, today=today)
            for project in projects:
                results[project.pk].append(assessed[project.pk])
        else:
            for project in projects:
                results[project.pk].append(gate.assess(project, today=today))
    return results


def verdict(results: Sequence[GateResult]) -> str:
    """`ready` when no gate has a blocking finding, else `blocked`."""
    return READY if all(r.passed for r in results) else BLOCKED


def score(results: Sequence[GateResult]) -> int:
    """The mean of the gates' scores (0-100); 100 with no gates."""
    return sum(r.score for r in results) // len(results) if results else 100
