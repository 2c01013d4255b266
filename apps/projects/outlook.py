"""Where a transition stands against its go-live date: the portfolio's risk signal.

A pure function over plain values (a dashboard row or a summary), so the dashboard
computes it for its 25 rows without a query, and a test states every case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.projects.models import CLOSED_PHASES, Phase

# A transition whose gates do not pass this close to go-live is at risk.
AT_RISK_WITHIN_DAYS = 14


@dataclass(frozen=True)
class Outlook:
    """`level` is one of LEVELS; `sentence` says why, for a tooltip or a screen reader."""

    level: str
    sentence: str

    @property
    def badge(self) -> str:
        """The words of the portfolio's mark, empty when nothing is marked."""
        return BADGES.get(self.level, ("", ""))[0]

    @property
    def colour(self) -> str:
        """Bootstrap's colour name for the mark and the countdown."""
        return BADGES.get(self.level, ("", "secondary"))[1]


# level -> the mark's words and Bootstrap colour; levels without a mark are absent.
BADGES = {"late": ("late", "danger"), "at_risk": ("at risk", "warning")}


def outlook(*, phase: str, go_live_date: dt.date | None, ready: bool, today: dt.date) -> Outlook:
    """Late, at risk, on track, live, closed or unscheduled.

    - closed (BAU, cancelled) and live (hypercare): the go-live date is history.
    - late: go-live was due and the transition has not gone live.
    - at risk: go-live is AT_RISK_WITHIN_DAYS away or less and the gates do not pass.
    """
    if phase in CLOSED_PHASES:
        return Outlook("closed", "Closed: read only.")
    if phase == Phase.HYPERCARE:
        return Outlook("live", "Live, in hypercare.")
    if go_live_date is None:
        return Outlook("unscheduled", "No go-live date is set.")
    days = (go_live_date - today).days
    phase_label = Phase(phase).label
    if days < 0:
        ago = "yesterday" if days == -1 else f"{-days} days ago"
        return Outlook("late", f"Go-live was due {ago}; the transition is still in {phase_label}.")
    if days <= AT_RISK_WITHIN_DAYS and not ready:
        when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
        return Outlook("at_risk", f"Go-live is {when} and the go-live gates do not pass.")
    return Outlook("on_track", "On track.")
