"""The monitoring page of a transition, and the alert inventory's editors.

The page answers "can operations see what is happening, and is it proven?": the
gate's findings, every alert with its proof (verified through the webhook, by hand,
stale, or not yet), the heartbeat, what arrived that the inventory does not know,
and the dashboards. While an alert that must be verified is not, the proof region
polls (htmx, every few seconds), so a test alert sent from Alertmanager turns
verified on the page without a reload.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.monitoring import matching, permissions, readiness, services
from apps.monitoring.forms import AlertForm, VerifyForm
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Severity,
    State,
    Verification,
)
from apps.projects.access import ProjectAccess, project_view
from apps.projects.pages import form_page
from apps.runbooks.models import Scenario, alert_list

edit = project_view(permissions.can_edit_monitoring)
read = project_view()

# The page lists what arrived unmatched from this many most recent notifications.
RECENT_EVENTS = 500
UNMATCHED_SHOWN = 20
# The proof region polls this often while an alert that must be verified is not.
POLL_SECONDS = 5
INTRO = (
    "Name it as the monitoring tool does (Alertmanager's alertname). Matchers narrow it "
    "to one service or environment; a runbook scenario links to it by naming it in its "
    "alerts."
)


def page_url(project_id: int, anchor: str = "") -> str:
    url = reverse("monitoring:alerts", args=[project_id])
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class Proof:
    """An alert's standing: its last verification of the current definition."""

    state: str  # "verified", "stale", "earlier" (before its last change), "none"
    kind: str = ""  # webhook / manual
    at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return {
            "verified": "Verified",
            "stale": "Stale",
            "earlier": "Changed since verified",
            "none": "Not verified",
        }[self.state]


def proof_of(alert: Alert, verifications: list[Verification], *, now: dt.datetime) -> Proof:
    """`alert`'s proof from its verifications, newest first."""
    current = next((v for v in verifications if v.proves(alert)), None)
    if current is None:
        return Proof("earlier" if verifications else "none")
    since = now - dt.timedelta(days=readiness.fresh_days())
    return Proof(
        "verified" if current.verified_at >= since else "stale", current.kind, current.verified_at
    )


@dataclass(frozen=True)
class Unmatched:
    """A notification the inventory does not know: its name, labels, when, from where."""

    alert_key: str
    labels: dict[str, str]
    last_received_at: dt.datetime
    count: int
    source: str


def unmatched(project_id: int, alerts: list[Alert]) -> list[Unmatched]:
    """What arrived lately that no alert of the inventory matches, one line per name."""
    specs = [(a.name, matching.parse_matchers(a.matchers)) for a in alerts]
    found: dict[str, Unmatched] = {}
    rows = (
        AlertEvent.objects.filter(project=project_id)
        .order_by("-last_received_at", "-pk")
        .values("alert_key", "labels", "last_received_at", "source")[:RECENT_EVENTS]
    )
    for row in rows:
        key, labels = row["alert_key"], row["labels"]
        if any(matching.matches(name, m, key, labels) for name, m in specs):
            continue
        if key in found:
            seen = found[key]
            found[key] = Unmatched(
                key, seen.labels, seen.last_received_at, seen.count + 1, seen.source
            )
        else:
            found[key] = Unmatched(key, labels, row["last_received_at"], 1, row["source"])
    return list(found.values())[:UNMATCHED_SHOWN]


def _heartbeat_seen(project_id: int, heartbeat: Alert) -> dt.datetime | None:
    """When the heartbeat last arrived firing (a repeat moves `last_received_at`)."""
    return (
        AlertEvent.objects.filter(project=project_id, alert_key=heartbeat.name, state=State.FIRING)
        .order_by("-last_received_at")
        .values_list("last_received_at", flat=True)
        .first()
    )


def _alerts(project_id: int) -> list[Alert]:
    return list(
        Alert.objects.filter(project=project_id)
        .select_related("component")
        .prefetch_related(
            Prefetch("verifications", queryset=Verification.objects.order_by("-verified_at", "-pk"))
        )
    )


def _inventory_context(access: ProjectAccess) -> dict[str, Any]:
    """What the proof region shows; the page and its polling share it."""
    project = access.project
    now = timezone.now()
    alerts = _alerts(project.pk)
    proofs = {a.pk: proof_of(a, list(a.verifications.all()), now=now) for a in alerts}
    linked: set[str] = set()
    for (names,) in Scenario.objects.filter(project=project).values_list("alert_names"):
        linked.update(alert_list(names))
    rows = [{"alert": a, "proof": proofs[a.pk], "linked": a.name in linked} for a in alerts]
    heartbeat = next((a for a in alerts if a.is_heartbeat), None)
    if heartbeat is not None:
        seen = _heartbeat_seen(project.pk, heartbeat)
        silent_after = now - dt.timedelta(minutes=readiness.silent_minutes())
        for row in rows:
            if row["alert"] is heartbeat:
                row["heartbeat_seen"] = seen
                row["silent"] = seen is None or seen < silent_after
    # Poll while an alert that must be proven is not, and something could prove it.
    waiting = (
        any(
            a.must_verify and not a.is_heartbeat and proofs[a.pk].state != "verified"
            for a in alerts
        )
        and Integration.objects.filter(project=project).exists()
    )
    return {
        "project": project,
        "access": access,
        "rows": rows,
        "waiting": waiting,
        "poll_seconds": POLL_SECONDS,
        "can_edit": permissions.can_edit_monitoring(access),
        "can_verify": permissions.can_verify(access),
        "unmatched": unmatched(project.pk, alerts),
        "gate": readiness.assess(project, today=timezone.localdate()),
    }


@read
@require_GET
def alerts(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    if request.htmx:
        # The polling of the proof region: only that region.
        return render(request, "monitoring/alerts.html#proof", _inventory_context(access))
    confirmed = DashboardCheck.objects.order_by("-checked_at", "-pk")
    dashboards = list(
        Dashboard.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related(Prefetch("checks", queryset=confirmed.select_related("checked_by")))
    )
    for dashboard in dashboards:
        last = next(iter(dashboard.checks.all()), None)
        dashboard.last_check = last  # type: ignore[attr-defined]
        dashboard.confirmed = last is not None and last.url == dashboard.url  # type: ignore[attr-defined]
    integrations = project.integrations.order_by("name", "pk")
    return render(
        request,
        "monitoring/alerts.html",
        {
            **_inventory_context(access),
            "dashboards": dashboards,
            "integrations": integrations,
            "can_confirm": permissions.can_confirm_dashboard(access),
        },
    )


@read
@require_GET
def alert_detail(
    request: AuthenticatedRequest, access: ProjectAccess, alert_id: int
) -> HttpResponse:
    """One alert: its proof, every verification with its evidence, what arrived for it."""
    project = access.project
    alert = get_object_or_404(
        Alert.objects.select_related("component"), pk=alert_id, project=project
    )
    verifications = list(
        Verification.objects.filter(alert=alert)
        .select_related("verified_by", "firing_event", "resolved_event")
        .order_by("-verified_at", "-pk")
    )
    alert_matchers = matching.parse_matchers(alert.matchers)
    events = [
        e
        for e in AlertEvent.objects.filter(project=project, alert_key=alert.name)
        .select_related("integration")
        .order_by("-last_received_at", "-pk")[:100]
        if matching.matches(alert.name, alert_matchers, e.alert_key, e.labels)
    ][:30]
    scenarios = [
        s
        for s in Scenario.objects.filter(project=project).select_related("runbook")
        if alert.name in s.alerts
    ]
    proof = proof_of(alert, verifications, now=timezone.now())
    return render(
        request,
        "monitoring/alert_detail.html",
        {
            "project": project,
            "access": access,
            "alert": alert,
            "proof": proof,
            "verifications": verifications,
            "events": events,
            "scenarios": scenarios,
            "can_edit": permissions.can_edit_monitoring(access),
            "can_verify": permissions.can_verify(access),
            "heartbeat_seen": _heartbeat_seen(project.pk, alert) if alert.is_heartbeat else None,
        },
    )


@read
@require_GET
def delivery(
    request: AuthenticatedRequest, access: ProjectAccess, delivery_id: int
) -> HttpResponse:
    """The raw body of a delivery, as received: the evidence behind a verification."""
    row = get_object_or_404(
        Delivery.objects.select_related("integration"), pk=delivery_id, project=access.project
    )
    return render(
        request,
        "monitoring/delivery.html",
        {"project": access.project, "access": access, "delivery": row, "body": _pretty(row.body)},
    )


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        return body


@edit
@require_http_methods(["GET", "POST"])
def alert_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    alert = Alert(project=project)
    form = AlertForm(
        request.POST if request.method == "POST" else None,
        instance=alert,
        project=project,
        initial={"name": request.GET.get("name", "")[:200], "severity": Severity.HIGH},
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.alert_save(alert=f.instance, by=request.user),
        title="Add an alert",
        intro=INTRO,
        back_url=page_url(project.pk),
        back_label="Monitoring",
        saved=lambda: f"Alert “{alert}” added.",
        done_url=lambda: page_url(project.pk, f"alert-{alert.pk}"),
    )


@edit
@require_http_methods(["GET", "POST"])
def alert_edit(request: AuthenticatedRequest, access: ProjectAccess, alert_id: int) -> HttpResponse:
    project = access.project
    alert = get_object_or_404(Alert, pk=alert_id, project=project)
    label = str(alert)
    form = AlertForm(
        request.POST if request.method == "POST" else None, instance=alert, project=project
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.alert_save(
            alert=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit alert {label}",
        intro=INTRO,
        note="Renaming it or changing its matchers means verifying it again.",
        back_url=reverse("monitoring:alert", args=[project.pk, alert.pk]),
        back_label=label,
        saved=lambda: f"Alert “{alert}” saved.",
        delete_url=reverse("monitoring:alert-delete", args=[project.pk, alert.pk]),
        delete_label="Delete alert",
        delete_confirm="Delete this alert from the inventory? The audit history keeps a record.",
    )


@require_POST
@edit
def alert_delete(
    request: AuthenticatedRequest, access: ProjectAccess, alert_id: int
) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=alert_id, project=access.project)
    services.alert_delete(alert=alert, by=request.user)
    messages.success(request, f"Alert “{alert}” deleted.")
    return redirect(page_url(access.project.pk))


@require_POST
@edit
def alert_adopt(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """One click: an unmatched notification's name becomes an alert of the inventory
    (medium, to be reviewed), proven at once if it already fired and resolved."""
    project = access.project
    name = request.POST.get("name", "").strip()
    if not name or len(name) > 200:
        messages.error(request, "Choose a received notification to add.")
        return redirect(page_url(project.pk, "unmatched"))
    source = (
        AlertEvent.objects.filter(project=project, alert_key=name)
        .values_list("source", flat=True)
        .first()
    )
    if source is None:
        messages.error(request, f"Nothing named “{name}” was received: add it with the form.")
        return redirect(page_url(project.pk, "unmatched"))
    alert = Alert(project=project, name=name, severity=Severity.MEDIUM, source=source)
    services.alert_save(alert=alert, by=request.user)
    messages.success(
        request, f"“{name}” is in the inventory as a medium alert: set its severity and component."
    )
    return redirect(reverse("monitoring:alert-edit", args=[project.pk, alert.pk]))


@project_view(permissions.can_verify)
@require_http_methods(["GET", "POST"])
def alert_verify(
    request: AuthenticatedRequest, access: ProjectAccess, alert_id: int
) -> HttpResponse:
    """A manual verification, for an alert whose source cannot send webhooks."""
    project = access.project
    alert = get_object_or_404(Alert, pk=alert_id, project=project)
    form = VerifyForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.verification_record(
            alert=alert, by=request.user, now=timezone.now(), **f.cleaned_data
        ),
        title=f"Record that {alert} fired and resolved",
        intro=(
            "For an alert whose source cannot send webhooks: you saw it fire and then "
            "resolve through the real alerting path. It shows as a manual verification, "
            "under your name, and cannot be edited afterwards."
        ),
        back_url=reverse("monitoring:alert", args=[project.pk, alert.pk]),
        back_label=str(alert),
        saved=lambda: f"Manual verification of “{alert}” recorded.",
    )
