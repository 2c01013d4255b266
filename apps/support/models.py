"""The support model of a transition: who owns what, and who is called when.

- `Component`: something in scope (an application, a database, a batch job...),
  with a criticality.
- `Tier`: a support tier (L1 service desk, L2 application support, L3
  engineering/vendor by default), in order.
- `SupportTeam`: a team that supports something in this transition, with how to
  reach it, its members (members of the transition) and its scope in words.
- `Ownership`: one cell of the matrix, component x tier -> team, with the support
  hours and the response targets per priority.
- `EscalationLevel`: one level of an escalation path (standard, or the one used
  during hypercare), in order: a team or a person, how to reach them, and when to
  escalate to them.
- `SupportSettings`: the catch-all owner, who takes anything unclassified.

Every row carries its transition (`project`), so every page and the activity feed
scope it with one filter. Teams are `PROTECT`ed from the rows that name them: a
team is removed through `services.team_remove`, which names a successor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.core.text import and_join, plural
from apps.projects.models import Project


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class ComponentKind(models.TextChoices):
    APPLICATION = "application", "Application"
    DATABASE = "database", "Database"
    INTEGRATION = "integration", "Integration"
    BATCH_JOB = "batch_job", "Batch job"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    VENDOR_SERVICE = "vendor_service", "Vendor service"
    OTHER = "other", "Other"


class Hours(models.TextChoices):
    BUSINESS = "business", "Business hours"
    ALWAYS = "24x7", "24x7"


class Priority(models.TextChoices):
    P1 = "P1", "P1 (critical)"
    P2 = "P2", "P2 (high)"
    P3 = "P3", "P3 (moderate)"
    P4 = "P4", "P4 (low)"


class Path(models.TextChoices):
    STANDARD = "standard", "Standard"
    HYPERCARE = "hypercare", "Hypercare"


# Response targets are whole minutes, from 1 minute to 30 days.
MAX_RESPONSE_MINUTES = 30 * 24 * 60


class Component(TimeStampedModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="support_components"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(
        max_length=20, choices=ComponentKind.choices, default=ComponentKind.APPLICATION
    )
    criticality = models.CharField(
        max_length=10, choices=Criticality.choices, default=Criticality.NORMAL
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                name="support_component_name_unique",
                violation_error_message="This transition already has a component of that name.",
            ),
            models.CheckConstraint(
                condition=Q(criticality__in=Criticality.values),
                name="support_component_criticality_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ComponentKind.values), name="support_component_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_tiers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                name="support_tier_name_unique",
                violation_error_message="This transition already has a tier of that name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupportTeam(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_teams")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True, help_text="A shared mailbox or distribution list.")
    phone = models.CharField(max_length=40, blank=True, help_text="A hotline or on-call number.")
    chat = models.CharField(
        "chat channel", max_length=200, blank=True, help_text="For example #payments-support."
    )
    pager = models.CharField(
        max_length=200, blank=True, help_text="The paging service or rota, e.g. PagerDuty 'Pay-L2'."
    )
    in_scope = models.TextField("in scope", blank=True)
    out_of_scope = models.TextField("out of scope", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="support_teams", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                name="support_team_name_unique",
                violation_error_message="This transition already has a team of that name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def means(self) -> list[tuple[str, str]]:
        """How to reach the team: (label, value) for each way given."""
        return reach(self)

    def holdings(self) -> dict[str, int]:
        """What removing the team would leave without an owner (three counts)."""
        return {
            "cells": self.ownerships.count(),
            "levels": self.escalation_levels.count(),
            "catch_all": self.catch_all_of.count(),
        }

    def holdings_sentence(self, holdings: dict[str, int]) -> str:
        """ "Service Desk owns 4 cells of the matrix, 1 escalation level and the
        catch-all." """
        parts = []
        if holdings["cells"]:
            parts.append(plural(holdings["cells"], "cell of the matrix", "cells of the matrix"))
        if holdings["levels"]:
            parts.append(plural(holdings["levels"], "escalation level", "escalation levels"))
        if holdings["catch_all"]:
            parts.append("the catch-all")
        if not parts:
            return f"{self.name} owns nothing: removing it leaves no gap."
        return f"{self.name} owns {and_join(parts)}."


class Ownership(TimeStampedModel):
    """One cell of the matrix: `team` supports `component` at `tier`."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="support_ownerships"
    )
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="ownerships")
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="ownerships")
    team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="ownerships")
    hours = models.CharField(
        "support hours", max_length=10, choices=Hours.choices, default=Hours.BUSINESS
    )
    p1_minutes = models.PositiveIntegerField("P1 response (minutes)", null=True, blank=True)
    p2_minutes = models.PositiveIntegerField("P2 response (minutes)", null=True, blank=True)
    p3_minutes = models.PositiveIntegerField("P3 response (minutes)", null=True, blank=True)
    p4_minutes = models.PositiveIntegerField("P4 response (minutes)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["tier__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "tier"],
                name="support_ownership_one_per_cell",
                violation_error_message="This cell already has an owner.",
            ),
            models.CheckConstraint(
                condition=Q(hours__in=Hours.values), name="support_ownership_hours_valid"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"p{n}_minutes__isnull": True})
                    | Q(
                        **{
                            f"p{n}_minutes__gte": 1,
                            f"p{n}_minutes__lte": MAX_RESPONSE_MINUTES,
                        }
                    ),
                    name=f"support_ownership_p{n}_in_range",
                )
                for n in (1, 2, 3, 4)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_id} at {self.tier_id}: {self.team_id}"

    def target(self, priority: str) -> int | None:
        """The response target in minutes for `priority` ("P1".."P4"), if set."""
        value: int | None = getattr(self, f"{priority.lower()}_minutes")
        return value

    @property
    def targets(self) -> list[tuple[str, int | None]]:
        return [(p, self.target(p)) for p in Priority.values]


class EscalationLevel(TimeStampedModel):
    """One level of an escalation path, called in `position` order."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="support_escalation_levels"
    )
    path = models.CharField(max_length=10, choices=Path.choices, default=Path.STANDARD)
    position = models.PositiveSmallIntegerField()
    team = models.ForeignKey(
        SupportTeam,
        on_delete=models.PROTECT,
        related_name="escalation_levels",
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_escalation_levels",
        null=True,
        blank=True,
        help_text="A named person to call (a member of this transition).",
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    chat = models.CharField("chat channel", max_length=200, blank=True)
    pager = models.CharField(max_length=200, blank=True)
    after_minutes = models.PositiveIntegerField(
        "escalate after (minutes)",
        null=True,
        blank=True,
        help_text="Escalate to this level when the level before has not resolved it by then.",
    )
    on_priority = models.CharField(
        "straight here for",
        max_length=2,
        choices=Priority.choices,
        blank=True,
        help_text="Call this level at once for incidents of this priority or higher.",
    )
    note = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["path", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(person__isnull=False),
                name="support_level_names_someone",
                violation_error_message="A level names a team or a person.",
            ),
            models.CheckConstraint(
                condition=Q(path__in=Path.values), name="support_level_path_valid"
            ),
            models.CheckConstraint(
                condition=Q(on_priority__in=["", *Priority.values]),
                name="support_level_priority_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_path_display()} level {self.position}"

    @property
    def means(self) -> list[tuple[str, str]]:
        """How to reach this level: its own ways, else its team's."""
        return reach(self) or (reach(self.team) if self.team_id else [])


class SupportSettings(TimeStampedModel):
    """A transition's support-wide settings: the catch-all owner."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="support_settings"
    )
    catch_all = models.ForeignKey(
        SupportTeam,
        on_delete=models.PROTECT,
        related_name="catch_all_of",
        null=True,
        blank=True,
        verbose_name="catch-all owner",
        help_text="The team that takes anything no one else owns.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "support settings"

    def __str__(self) -> str:
        return f"Support settings of {self.project_id}"


REACH_FIELDS = (("phone", "Phone"), ("pager", "Pager"), ("email", "Email"), ("chat", "Chat"))


def reach(row: SupportTeam | EscalationLevel | None) -> list[tuple[str, str]]:
    """(label, value) for each way of reaching `row` that is filled in, phone first."""
    if row is None:
        return []
    return [(label, getattr(row, name)) for name, label in REACH_FIELDS if getattr(row, name)]
