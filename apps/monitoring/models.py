"""Monitoring: the alerts operations relies on, proven to fire and resolve.

- `Alert`: one alert of the inventory, named as the monitoring tool names it
  (Alertmanager's `alertname`), narrowed by label matchers (`service=payments`), with
  a severity and a component. Runbook scenarios link to it by that name (a
  scenario's "alerts" field), so the link is kept in one place. One alert may be the
  transition's heartbeat (an always-firing alert such as Alertmanager's `Watchdog`).
- `Dashboard`: a dashboard operations will watch; `DashboardCheck` is a named
  person's confirmation that it is live (evidence: never edited or deleted; a
  dashboard whose address changed since is no longer confirmed).
- `Integration`: an inbound webhook of one source (Alertmanager, Grafana, PagerDuty,
  generic JSON) with a secret token in its address; rotating the token ends the old
  one at once.
- `Delivery`: one webhook request that brought something new, its raw body kept as
  evidence. `AlertEvent`: one notification normalised (alert key, labels, firing or
  resolved, when). The same notification delivered again is one row (a uniqueness
  rule in the database); only its `last_received_at` moves, which is what the
  heartbeat needs.
- `Verification`: proof that an alert fires and resolves, from a matched pair of
  events (by webhook) or recorded by a person with evidence (manual). Evidence: never
  edited or deleted; it keeps the alert's definition it proved, so editing the alert
  makes it visibly void.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.projects.models import Project
from apps.support.models import Component


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Alerts of these severities must be verified before go-live.
MUST_VERIFY = frozenset({Severity.CRITICAL, Severity.HIGH})


class Source(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana"
    PAGERDUTY = "pagerduty", "PagerDuty"
    GENERIC = "generic", "Generic JSON"


class State(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


class VerificationKind(models.TextChoices):
    WEBHOOK = "webhook", "Fired and resolved through the webhook"
    MANUAL = "manual", "Manual"


def new_token() -> str:
    """A secret for a webhook address: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class Alert(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alerts")
    name = models.CharField(
        max_length=200,
        help_text="As the monitoring tool names it: Alertmanager's and Grafana's alertname, "
        "PagerDuty's incident title, the generic format's name.",
    )
    matchers = models.TextField(
        blank=True,
        help_text="Label matchers, one per line: service=payments, env!=staging, "
        "instance=~web-.*. Leave blank to match every notification of that name.",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.HIGH)
    component = models.ForeignKey(
        Component, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    source = models.CharField(
        "comes from",
        max_length=20,
        choices=Source.choices,
        blank=True,
        help_text="The tool that sends it; blank when it cannot send webhooks (verify it by hand).",
    )
    description = models.TextField(blank=True, help_text="What it means when it fires.")
    is_heartbeat = models.BooleanField(
        "heartbeat",
        default=False,
        help_text="An always-firing alert (Alertmanager's Watchdog): when it stops arriving "
        "during hypercare, the monitoring pipeline itself is broken.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "matchers", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "matchers"], name="alert_unique_name_matchers"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(is_heartbeat=True),
                name="alert_one_heartbeat_per_project",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="alert_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {{{self.matchers_inline}}}" if self.matchers else self.name

    @property
    def matchers_inline(self) -> str:
        return ", ".join(self.matchers.splitlines())

    @property
    def must_verify(self) -> bool:
        return self.severity in MUST_VERIFY


class Dashboard(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dashboards")
    title = models.CharField(max_length=200)
    url = models.URLField("address", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_dashboards"
    )
    shows = models.TextField("what it shows", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class DashboardCheck(models.Model):
    """A named person saw the dashboard live: evidence, never edited or deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="checks")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField()
    # The address that was confirmed: a dashboard moved since is no longer confirmed.
    url = models.URLField(max_length=500)
    note = models.TextField(blank=True)
    screenshot_url = models.URLField("link to a screenshot", max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dashboard_id} confirmed at {self.checked_at:%Y-%m-%d %H:%M}"


class Integration(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=100, help_text="“Production Alertmanager”.")
    source = models.CharField(max_length=20, choices=Source.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    signing_secret = models.CharField(
        "signing secret",
        max_length=200,
        blank=True,
        help_text="PagerDuty only: the subscription's signing secret; deliveries without a "
        "valid X-PagerDuty-Signature are then refused.",
    )
    last_delivery_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token", "signing_secret", "last_delivery_at"])

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="integration_unique_name"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="integration_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_source_display()})"


class Delivery(models.Model):
    """A webhook request that brought at least one new notification: the raw evidence."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        Integration, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    received_at = models.DateTimeField()
    body = models.TextField()
    # Alertmanager's and Grafana's truncatedAlerts: alerts the sender left out.
    truncated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} delivery at {self.received_at:%Y-%m-%d %H:%M:%S}"


class AlertEvent(models.Model):
    """One notification, normalised; a repeated delivery of it is the same row."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alert_events")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="events")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    source = models.CharField(max_length=20, choices=Source.choices)
    alert_key = models.CharField(max_length=200)  # alertname / incident title / name
    labels = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices)
    # Fingerprint (Alertmanager, Grafana), incident id (PagerDuty), or given/derived.
    dedup_key = models.CharField(max_length=200)
    # What tells one firing episode of the same alert from the next: its start as the
    # sender wrote it (Alertmanager's startsAt; empty when the sender has none).
    episode = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "dedup_key", "episode", "state"],
                name="alertevent_once_per_notification",
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="alertevent_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["project", "alert_key"])]

    def __str__(self) -> str:
        return f"{self.alert_key} {self.state} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class Verification(models.Model):
    """Proof that an alert fires and resolves: evidence, never edited or deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="verifications")
    kind = models.CharField(max_length=10, choices=VerificationKind.choices)
    verified_at = models.DateTimeField()
    # The definition it proved: an alert renamed or re-matched since is not verified.
    alert_name = models.CharField(max_length=200)
    alert_matchers = models.TextField(blank=True)
    firing_event = models.ForeignKey(
        AlertEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_event = models.ForeignKey(
        AlertEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField("link to the evidence", max_length=500, blank=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=VerificationKind.values), name="verification_kind_valid"
            ),
            # A pair of events proves an alert once, however often matching runs.
            models.UniqueConstraint(
                fields=["alert", "resolved_event"],
                condition=Q(kind="webhook"),
                name="verification_once_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(kind="manual", verified_by__isnull=False)
                | Q(kind="webhook", firing_event__isnull=False, resolved_event__isnull=False),
                name="verification_has_its_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_name} {self.kind} at {self.verified_at:%Y-%m-%d %H:%M}"

    def proves(self, alert: Alert) -> bool:
        return self.alert_name == alert.name and self.alert_matchers == alert.matchers
