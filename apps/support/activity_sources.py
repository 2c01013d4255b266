"""The support app's contribution to a transition's activity feed: its tracked models,
told with the feed's generic sentences ("Anna changed the component “Payments API”:
criticality Normal → Critical"), each linking to where it is shown."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core.activity import ActivitySource, Event, Sentence, quote
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    SupportSettings,
    SupportTeam,
    Tier,
)


def _page(name: str, anchor: str = "") -> Any:
    def link(project_id: int, record: Any, state: str) -> str:
        url = reverse(name, args=[project_id])
        return f"{url}#{anchor.format(record=record)}" if anchor else url

    return link


def _clauses(event: Event) -> str:
    clauses = ", ".join(c.clause() for c in event.changes)
    return f": {clauses}" if clauses else ""


def _describe_cell(event: Event) -> Sentence:
    """A cell's component and tier are not named (that would cost a query per row):
    the link goes to the component's row."""
    if event.created:
        return Sentence("set an owner in", "the support matrix")
    if event.deleted:
        return Sentence("cleared an owner in", "the support matrix")
    return Sentence("changed an owner in", "the support matrix", _clauses(event))


def _describe_catch_all(event: Event) -> Sentence:
    change = event.change("catch_all")
    if change is not None and change.new_text:
        return Sentence("made", quote(change.new_text), " the catch-all owner")
    if change is not None:
        return Sentence("cleared", "the catch-all owner", f" (was {change.old_text})")
    return Sentence("set", "the catch-all owner")


KIND = "support"
LABEL = "Support model"

SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource(
        Component,
        lambda pid: Component.history.filter(project_id=pid),
        lambda r: quote(r.name),
        kind=KIND,
        kind_label=LABEL,
        link=_page("support:matrix", "component-{record.id}"),
    ),
    ActivitySource(
        Tier,
        lambda pid: Tier.history.filter(project_id=pid),
        lambda r: quote(r.name),
        kind=KIND,
        kind_label=LABEL,
        link=_page("support:matrix", "tiers"),
    ),
    ActivitySource(
        Ownership,
        lambda pid: Ownership.history.filter(project_id=pid),
        lambda r: "the support matrix",
        kind=KIND,
        kind_label=LABEL,
        describe=_describe_cell,
        link=_page("support:matrix", "component-{record.component_id}"),
    ),
    ActivitySource(
        SupportTeam,
        lambda pid: SupportTeam.history.filter(project_id=pid),
        lambda r: quote(r.name),
        kind=KIND,
        kind_label=LABEL,
        link=_page("support:teams", "team-{record.id}"),
    ),
    ActivitySource(
        EscalationLevel,
        lambda pid: EscalationLevel.history.filter(project_id=pid),
        lambda r: f"{r.position} ({r.path} path)",
        kind=KIND,
        kind_label=LABEL,
        link=_page("support:escalation", "path-{record.path}"),
    ),
    ActivitySource(
        SupportSettings,
        lambda pid: SupportSettings.history.filter(project_id=pid),
        lambda r: "the catch-all owner",
        kind=KIND,
        kind_label=LABEL,
        describe=_describe_catch_all,
        link=_page("support:teams", "catch-all"),
    ),
)
