"""Writes to a transition's monitoring; each keeps the data valid or changes nothing.

Edits by people (alerts, dashboards, integrations, confirmations, manual
verifications) go through `guard.project_write` like every app's: the project row is
locked, closed transitions are refused, the summary and so the "Monitoring" gate are
recomputed.

Webhook intake (`receive`) is the exception, on purpose: a monitoring tool may send
many notifications a second, and most of them repeat one already recorded
(Alertmanager re-sends every group on its repeat interval; an HA pair sends
everything twice). Recording a notification does not change the transition itself,
so `receive` writes the raw delivery and its normalised events without the project
lock, and collapses repeats with the database's uniqueness rule on each event
(integration, dedup key, episode, state): an insert that finds the row already there
only moves its `last_received_at`. Only a *new resolved* notification can prove an
alert; then `verify_from_events` runs, through `project_write` like any write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.readiness import Finding
from apps.monitoring import matching, readiness
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    State,
    Verification,
    VerificationKind,
    new_token,
)
from apps.monitoring.sources import Notification, Parsed
from apps.projects.guard import ActionRefused, attribute, project_write, refuse_stale_edit
from apps.projects.models import Membership, Phase, Project

if TYPE_CHECKING:
    from apps.accounts.models import User

ALERT_FIELDS = (
    "name",
    "matchers",
    "severity",
    "component",
    "source",
    "description",
    "is_heartbeat",
)
DASHBOARD_FIELDS = ("title", "url", "owner", "shows")
# "Last delivery" and an event's "last received" move at most this often: the
# heartbeat counts in minutes, and a repeated delivery then writes nothing.
SEEN_PRECISION = dt.timedelta(minutes=1)


def _same_project(project: Project, *rows: object) -> None:
    for row in rows:
        if row is not None and getattr(row, "project_id", project.pk) != project.pk:
            raise ActionRefused("That belongs to another transition: reload the page.")


def _member(project: Project, user: User) -> None:
    if not Membership.objects.filter(project=project, user=user).exists():
        raise ActionRefused(
            "Only members of this transition can be named: add them on the Members page first."
        )


# --- Alerts ----------------------------------------------------------------------


def alert_save(*, alert: Alert, by: User, seen_version: dt.datetime | None = None) -> Alert:
    """Add an alert to the inventory or save an edit; past notifications that match it
    count at once (an alert added after its test fired is verified by that test)."""
    try:
        alert.matchers = matching.normalise_matchers(alert.matchers)
    except matching.MatcherError as error:
        raise ActionRefused(str(error)) from None
    with project_write(alert.project_id, by=by) as project:
        _same_project(project, alert.component)
        if alert.pk:
            current = Alert.objects.select_for_update().get(pk=alert.pk)
            yours = {name: getattr(alert, name) for name in ALERT_FIELDS}
            refuse_stale_edit(current, seen=seen_version, fields=ALERT_FIELDS, yours=yours)
        duplicate = Alert.objects.filter(
            project=project, name=alert.name, matchers=alert.matchers
        ).exclude(pk=alert.pk)
        if duplicate.exists():
            raise ActionRefused(
                f"The inventory already has “{alert}”: edit that one, or add a matcher "
                "that tells them apart."
            )
        if alert.is_heartbeat:
            # One heartbeat per transition: marking this one unmarks the other.
            for other in Alert.objects.filter(project=project, is_heartbeat=True).exclude(
                pk=alert.pk
            ):
                other.is_heartbeat = False
                attribute(other, by)
                other.save(update_fields=["is_heartbeat", "updated_at"])
        attribute(alert, by)
        alert.save()
        _verify(project, [alert])
    return alert


def alert_delete(*, alert: Alert, by: User) -> None:
    with project_write(alert.project_id, by=by):
        if Verification.objects.filter(alert=alert).exists():
            raise ActionRefused(
                f"“{alert}” was verified: its verifications are evidence. "
                "Lower its severity instead, or keep it."
            )
        attribute(alert, by)
        alert.delete()


def verification_record(
    *, alert: Alert, by: User, evidence: str, evidence_url: str = "", now: dt.datetime
) -> Verification:
    """A person's verification, for a source that cannot send webhooks."""
    if not evidence.strip() and not evidence_url.strip():
        raise ActionRefused(
            "Say what you saw (the alert firing and resolving, where) or link to it."
        )
    with project_write(alert.project_id, by=by) as project:
        _same_project(project, alert)
        return Verification.objects.create(
            project=project,
            alert=alert,
            kind=VerificationKind.MANUAL,
            verified_at=now,
            alert_name=alert.name,
            alert_matchers=alert.matchers,
            verified_by=by,
            evidence=evidence.strip(),
            evidence_url=evidence_url.strip(),
        )


# --- Dashboards --------------------------------------------------------------------


def dashboard_save(
    *, dashboard: Dashboard, by: User, seen_version: dt.datetime | None = None
) -> Dashboard:
    with project_write(dashboard.project_id, by=by) as project:
        _member(project, dashboard.owner)
        if dashboard.pk:
            current = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
            yours = {name: getattr(dashboard, name) for name in DASHBOARD_FIELDS}
            refuse_stale_edit(current, seen=seen_version, fields=DASHBOARD_FIELDS, yours=yours)
        attribute(dashboard, by)
        dashboard.save()
    return dashboard


def dashboard_delete(*, dashboard: Dashboard, by: User) -> None:
    with project_write(dashboard.project_id, by=by):
        if DashboardCheck.objects.filter(dashboard=dashboard).exists():
            raise ActionRefused(
                f"“{dashboard}” was confirmed live: its confirmations are evidence. "
                "Edit it instead."
            )
        attribute(dashboard, by)
        dashboard.delete()


def dashboard_confirm(
    *, dashboard: Dashboard, by: User, now: dt.datetime, note: str = "", screenshot_url: str = ""
) -> DashboardCheck:
    """`by` saw the dashboard live at its current address."""
    with project_write(dashboard.project_id, by=by) as project:
        _same_project(project, dashboard)
        return DashboardCheck.objects.create(
            project=project,
            dashboard=dashboard,
            checked_by=by,
            checked_at=now,
            url=dashboard.url,
            note=note.strip(),
            screenshot_url=screenshot_url.strip(),
        )


# --- Integrations ------------------------------------------------------------------


def integration_save(*, integration: Integration, by: User) -> Integration:
    with project_write(integration.project_id, by=by) as project:
        taken = Integration.objects.filter(project=project, name=integration.name).exclude(
            pk=integration.pk
        )
        if taken.exists():
            raise ActionRefused(f"An integration is already called “{integration.name}”.")
        attribute(integration, by)
        integration.save()
    return integration


def integration_rotate(*, integration: Integration, by: User) -> Integration:
    """A new secret address; the old one stops working at once."""
    with project_write(integration.project_id, by=by):
        integration.token = new_token()
        attribute(integration, by)
        integration.save(update_fields=["token", "updated_at"])
    return integration


def integration_delete(*, integration: Integration, by: User) -> None:
    with project_write(integration.project_id, by=by):
        proven = Verification.objects.filter(
            Q(firing_event__integration=integration) | Q(resolved_event__integration=integration)
        )
        if proven.exists():
            raise ActionRefused(
                f"“{integration.name}” delivered the evidence of a verification. "
                "Rotate its address instead: the old one stops working at once."
            )
        attribute(integration, by)
        integration.delete()


# --- Webhook intake ----------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    notifications: int  # in the delivery
    new: int  # not seen before
    verified: int  # alerts proven by this delivery


def receive(*, integration: Integration, parsed: Parsed, body: str, now: dt.datetime) -> Received:
    """Record a delivery's notifications once each; prove the alerts they resolve."""
    notes = list(parsed.notifications)
    if _due(integration.last_delivery_at, now):
        Integration.objects.filter(pk=integration.pk).update(last_delivery_at=now)
    if not notes:
        return Received(0, 0, 0)
    keys = {(n.dedup_key, n.episode, n.state) for n in notes}
    seen = _existing(integration, keys)
    fresh: dict[tuple[str, str, str], Notification] = {}
    for note in notes:
        key = (note.dedup_key, note.episode, note.state)
        if key not in seen:
            fresh.setdefault(key, note)
    # A repeat only moves `last_received_at` (what the heartbeat reads), and at most
    # once a minute: most repeats are then a read and nothing more.
    due = [pk for pk, last in seen.values() if _due(last, now)]
    if due:
        AlertEvent.objects.filter(pk__in=due).update(last_received_at=now)
    if not fresh:
        return Received(len(notes), 0, 0)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            project_id=integration.project_id,
            integration=integration,
            source=integration.source,
            received_at=now,
            body=body,
            truncated=parsed.truncated,
        )
        # A concurrent delivery of the same notification may win the race: the
        # uniqueness rule keeps one row, and that one counts.
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(
                    project_id=integration.project_id,
                    integration=integration,
                    delivery=delivery,
                    source=integration.source,
                    alert_key=n.alert_key,
                    labels=n.labels,
                    state=n.state,
                    dedup_key=n.dedup_key,
                    episode=n.episode,
                    started_at=n.started_at,
                    ended_at=n.ended_at,
                    received_at=now,
                    last_received_at=now,
                )
                for n in fresh.values()
            ],
            ignore_conflicts=True,
        )
    verified = 0
    names = {n.alert_key for n in fresh.values() if n.state == State.RESOLVED}
    if names:
        verified = verify_from_events(project_id=integration.project_id, names=names)
    return Received(len(notes), len(fresh), verified)


def _any_of(keys: Iterable[tuple[str, str, str]]) -> Q:
    return reduce(or_, (Q(dedup_key=d, episode=e, state=s) for d, e, s in keys))


def _existing(
    integration: Integration, keys: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[int, dt.datetime]]:
    """The events already recorded among `keys`: key -> (id, last received)."""
    rows = (
        AlertEvent.objects.filter(integration=integration)
        .filter(_any_of(keys))
        .values_list("dedup_key", "episode", "state", "pk", "last_received_at")
    )
    return {(d, e, s): (pk, last) for d, e, s, pk, last in rows}


def _due(last: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a "last seen" time should move to `now`: it is a minute old or more."""
    return last is None or last <= now - SEEN_PRECISION


def verify_from_events(*, project_id: int, names: Iterable[str] | None = None) -> int:
    """Record a verification for each alert (of those named) that a pair of events
    proves and that has none for that pair yet; the number recorded. Idempotent."""
    try:
        with project_write(project_id, by=None) as project:
            alerts = Alert.objects.filter(project=project)
            if names is not None:
                alerts = alerts.filter(name__in=set(names))
            return _verify(project, list(alerts))
    except ActionRefused:
        return 0  # a closed transition: its evidence is final


def _verify(project: Project, alerts: list[Alert]) -> int:
    """Inside `project_write`: the webhook verifications `alerts` lack."""
    if not alerts:
        return 0
    events = list(
        AlertEvent.objects.filter(project=project, alert_key__in={a.name for a in alerts})
        .order_by("received_at", "pk")
        .values("pk", "alert_key", "labels", "dedup_key", "episode", "state", "received_at")
    )
    # The pairs already recorded, for every alert at once (not one query per alert).
    done = set(
        Verification.objects.filter(alert__in=alerts, kind=VerificationKind.WEBHOOK).values_list(
            "alert", "resolved_event"
        )
    )
    new: list[Verification] = []
    for alert in alerts:
        matchers = matching.parse_matchers(alert.matchers)
        facts = [
            matching.EventFact(e["pk"], e["dedup_key"], e["episode"], e["state"], e["received_at"])
            for e in events
            if matching.matches(alert.name, matchers, e["alert_key"], e["labels"])
        ]
        pairs = matching.proven_pairs(facts)
        # Under the project lock: no other matching run can record the same pair.
        new += [
            Verification(
                project=project,
                alert=alert,
                kind=VerificationKind.WEBHOOK,
                verified_at=pair.resolved_at,
                alert_name=alert.name,
                alert_matchers=alert.matchers,
                firing_event_id=pair.firing_id,
                resolved_event_id=pair.resolved_id,
            )
            for pair in pairs
            if (alert.pk, pair.resolved_id) not in done
        ]
    Verification.objects.bulk_create(new)
    return len(new)


# --- Heartbeats --------------------------------------------------------------------


def heartbeats_check() -> int:
    """Refresh the summary of each transition in hypercare whose pipeline turned silent,
    or spoke again, since its summary was computed; the number refreshed.

    Silence is a matter of minutes, not of writes: beat runs this every minute so the
    transition page and the portfolio say so soon after the heartbeat stops.
    """
    watched = list(
        Project.objects.filter(phase=Phase.HYPERCARE, alerts__is_heartbeat=True).select_related(
            "summary"
        )
    )
    if not watched:
        return 0
    results = readiness.assess_many(watched, today=timezone.localdate())
    refreshed = 0
    for project in watched:
        now_silent = _silent(results[project.pk].findings)
        gates: list[dict[str, Any]] = project.summary.gates
        cached = next((g for g in gates if g.get("key") == readiness.KEY), {})
        if now_silent != _silent(Finding(**f) for f in cached.get("findings", ())):
            try:
                with project_write(project.pk, by=None):
                    pass  # the summary is recomputed on the way out
            except ActionRefused:
                continue
            refreshed += 1
    return refreshed


def _silent(findings: Iterable[Finding]) -> bool:
    return any(f.sentence.startswith(readiness.SILENT) for f in findings)
