"""Runbooks: scenario-based, linked to alerts and the escalation path, rehearsed by ops.

- `Runbook`: a transition's runbook (optionally for one component), with an owner, a
  review-by date and a state (draft or published).
- `Scenario`: one situation an engineer meets ("what do I do when X breaks"): its
  symptoms, what normal looks like versus a problem, the checks and steps (Markdown,
  rendered sanitised), the alerts that should send an engineer to it (their names as
  the monitoring tool knows them, one per line), and its component, whose owners and
  escalation path in the support model answer "who do I call" (never typed in).
- `Walkthrough`: evidence that operations rehearsed a scenario (a tabletop or a game
  day): when, who took part, the outcome, the gaps found. Never edited or deleted.

Every row carries its transition (`project`), so pages and the activity feed scope
it with one filter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.core.validators import validate_date_in_range
from apps.projects.models import Project
from apps.support.models import Component


class RunbookStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Outcome(models.TextChoices):
    WORKED = "worked", "Worked"
    WORKED_WITH_CHANGES = "worked_with_changes", "Worked with changes"
    FAILED = "failed", "Failed"


class WalkthroughKind(models.TextChoices):
    TABLETOP = "tabletop", "Tabletop"
    GAME_DAY = "game_day", "Game day"


class Runbook(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runbooks")
    title = models.CharField(max_length=200)
    component = models.ForeignKey(
        Component,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runbooks",
        help_text="Leave blank for a runbook of the whole service.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_runbooks",
        help_text="Keeps it true; reminded when the review date passes.",
    )
    review_by = models.DateField(
        "review by",
        validators=[validate_date_in_range],
        help_text="After this date the runbook is stale until someone reviews it.",
    )
    status = models.CharField(
        max_length=10, choices=RunbookStatus.choices, default=RunbookStatus.DRAFT
    )
    summary = models.TextField(blank=True, help_text="What the service is, in a few lines.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunbookStatus.values), name="runbook_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == RunbookStatus.PUBLISHED


class Scenario(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scenarios")
    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="scenarios")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200, help_text="“The payments API answers 5xx”.")
    component = models.ForeignKey(
        Component,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
        help_text="Whose owners and escalation path answer “who do I call”.",
    )
    symptoms = models.TextField(
        "trigger and symptoms", blank=True, help_text="What the engineer sees or is told."
    )
    normal = models.TextField(
        "what normal looks like", blank=True, help_text="Baselines and typical values."
    )
    problem = models.TextField(
        "what a problem looks like", blank=True, help_text="Thresholds and error messages."
    )
    first_checks = models.TextField("first checks", blank=True)
    diagnosis = models.TextField("diagnosis steps", blank=True)
    resolution = models.TextField("resolution steps", blank=True)
    rollback = models.TextField(blank=True)
    alert_names = models.TextField(
        "alerts",
        blank=True,
        help_text="The alerts that should send an engineer here, one per line, as the "
        "monitoring tool names them (Alertmanager's alertname).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def alerts(self) -> list[str]:
        return alert_list(self.alert_names)


class Walkthrough(models.Model):
    """A rehearsal of a scenario by operations: evidence, never edited or deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="walkthroughs")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="walkthroughs")
    held_on = models.DateField("held on", validators=[validate_date_in_range])
    kind = models.CharField(
        max_length=10, choices=WalkthroughKind.choices, default=WalkthroughKind.TABLETOP
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="runbook_walkthroughs"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    gaps_found = models.TextField("gaps found", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # What the scenario said when it was rehearsed (its steps may change later).
    scenario_snapshot = models.JSONField(default=dict)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="walkthrough_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=WalkthroughKind.values), name="walkthrough_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.scenario_id} on {self.held_on}"


def alert_list(text: str) -> list[str]:
    """Alert names, one per line (commas too), trimmed, without blanks or repeats."""
    names = [n.strip() for line in text.splitlines() for n in line.split(",")]
    return list(dict.fromkeys(n for n in names if n))
