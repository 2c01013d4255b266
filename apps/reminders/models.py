from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


class Frequency(models.TextChoices):
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Once a week (Mondays)"
    OFF = "off", "Never"


class ReminderPreference(TimeStampedModel):
    """How often a person wants their digest; no row means daily."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_preference",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="reminder_frequency_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DigestLog(models.Model):
    """One person's digest of one day: the sent-log that makes sending idempotent.

    The unique (recipient, digest_date) is the claim: a sweep inserts the row before
    sending, and a second sweep (or a second beat) finds it and sends nothing. See
    `apps.reminders.services.deliver` for the whole guarantee.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    digest_date = models.DateField()
    status = models.CharField(max_length=10, choices=DigestStatus.choices)
    # Which sweep holds the claim; compared before marking the row sent or failed.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a failed digest is tried again; empty: given up."
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    item_keys = models.JSONField(default=list, help_text="The items the digest listed.")
    escalated_keys = models.JSONField(default=list, help_text="Those listed as escalations.")
    projects = models.ManyToManyField(
        "projects.Project", related_name="reminder_digests", blank=True
    )

    class Meta:
        ordering = ["-digest_date", "recipient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_date"], name="one_digest_per_recipient_per_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values), name="digest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DigestStatus.SENT, sent_at__isnull=False)
                | (~Q(status=DigestStatus.SENT) & Q(sent_at__isnull=True)),
                name="digest_sent_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["digest_date", "status"])]

    def __str__(self) -> str:
        return f"Digest of {self.digest_date} for {self.recipient_id}: {self.status}"

    @property
    def given_up(self) -> bool:
        return self.status == DigestStatus.FAILED and self.next_attempt_at is None
