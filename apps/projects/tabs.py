"""The tabs of a transition's pages: one line per page, the registry every app adds to.

A tab shows when its `visible(access)` says so (an app's own capability check), so
the header never needs to know an app's rules. Each app's page includes
`projects/_header.html` with `tab=<its key>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.projects.access import ProjectAccess
from apps.reminders import permissions as reminders_permissions


def _everyone(access: ProjectAccess) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str  # takes the transition's id
    visible: Callable[[ProjectAccess], bool] = _everyone


TABS: tuple[Tab, ...] = (
    Tab("overview", "Overview", "projects:detail"),
    Tab("support", "Support", "support:matrix"),
    Tab("runbooks", "Runbooks", "runbooks:list"),
    Tab("monitoring", "Monitoring", "monitoring:alerts"),
    Tab("members", "Members", "projects:members"),
    Tab("activity", "Activity", "projects:activity"),
    Tab(
        "reminders", "Reminders", "reminders:project-history", reminders_permissions.can_see_history
    ),
)
