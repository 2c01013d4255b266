"""The projects app's contribution to a transition's activity feed."""

from __future__ import annotations

from typing import Any

from apps.core.activity import ActivitySource
from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task


def _member(record: Any) -> str:
    return str(record.user) if record.user_id else "a member"


SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource(Project, lambda pid: Project.history.filter(id=pid), lambda r: str(r.name)),
    ActivitySource(
        Membership,
        lambda pid: Membership.history.filter(project_id=pid).select_related("user"),
        _member,
    ),
    ActivitySource(Task, lambda pid: Task.history.filter(project_id=pid), lambda r: f"“{r.title}”"),
    ActivitySource(
        AcceptanceCriterion,
        lambda pid: AcceptanceCriterion.history.filter(project_id=pid),
        lambda r: f"“{r.statement[:80]}”",
    ),
    ActivitySource(
        SignOff,
        lambda pid: SignOff.history.filter(criterion__project_id=pid),
        lambda r: f"of “{r.statement_snapshot[:60]}”",
    ),
)
