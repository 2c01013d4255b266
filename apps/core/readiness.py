"""The result types every go-live gate returns, shared by all apps.

A gate app's `readiness.assess(project, today=...)` returns a `GateResult`;
`apps/projects/gates.py` composes them. Plain frozen dataclasses, so rules can be
tested without a database and results can be stored (as dicts) on the summary row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing a gate found: a sentence a person can act on, and where to fix it."""

    sentence: str
    url: str = ""
    blocking: bool = True


@dataclass(frozen=True)
class GateResult:
    key: str
    title: str
    passed: bool
    score: int  # 0-100: how much of the gate is proven
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateResult:
        findings = tuple(Finding(**f) for f in data.get("findings", ()))
        return cls(
            key=data["key"],
            title=data["title"],
            passed=data["passed"],
            score=data["score"],
            findings=findings,
        )


def percent(done: int, total: int) -> int:
    """Whole percent of `done` out of `total`; an empty total is complete (100)."""
    return 100 if total == 0 else (100 * done) // total
