"""The reminder sweep: gather the facts, plan the digests, claim, send, record.

`sweep(today=..., now=...)` is what beat's task, the `send_reminders` command and
the tests run. Its cost in queries does not grow with the number of items: the item
sources stream a few queries each, the facts are four queries (transitions, members,
people, preferences) plus one per 500 people named by items who are members of
nothing open, and delivery costs a fixed handful per batch of
`REMINDERS_BATCH_SIZE` digests.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from apps.projects.models import CLOSED_PHASES, Membership, Project
from apps.reminders import digest as rules
from apps.reminders import emails, items
from apps.reminders.models import DigestLog, DigestStatus, Frequency, ReminderPreference

logger = logging.getLogger(__name__)

# A claim older than this whose sweep never said "sent" or "failed" (the process
# died) may be taken again; see `deliver` for the duplicate this allows.
CLAIM_EXPIRES = dt.timedelta(minutes=30)
# The first retry waits this long, each next one twice as long.
RETRY_AFTER = dt.timedelta(minutes=15)
PEOPLE_CHUNK = 500
NOTHING_LEFT = " (not retried: nothing is overdue or due soon for them any more)"
# An SMTP refusal, a dropped connection, a timeout: worth trying again later.
SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass
class SweepReport:
    today: dt.date
    plan: rules.Plan
    sent: list[rules.Digest] = field(default_factory=list)
    failed: list[tuple[rules.Digest, str]] = field(default_factory=list)
    # Digests another sweep already sent, claimed, or gave up on.
    skipped: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.sent)} sent, {len(self.failed)} failed, {self.skipped} already handled, "
            f"{len(self.plan.held)} held by preference, "
            f"{len(self.plan.undeliverable)} undeliverable items"
        )


def facts_for(
    found: list[items.HandoffItem], *, project_ids: Collection[int] | None = None
) -> rules.Facts:
    """The transitions, memberships, people and preferences the rules need."""
    projects = Project.objects.exclude(phase__in=CLOSED_PHASES)
    memberships = Membership.objects.exclude(project__phase__in=CLOSED_PHASES)
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
        memberships = memberships.filter(project_id__in=list(project_ids))
    leads: dict[int, int] = {}
    escalate_after: dict[int, int] = {}
    for project_id, lead_id, own_threshold in projects.order_by().values_list(
        "pk", "lead_id", "escalate_after_days"
    ):
        leads[project_id] = lead_id
        if own_threshold is not None:
            escalate_after[project_id] = own_threshold
    people: dict[int, rules.Person] = {}
    members: set[tuple[int, int]] = set()
    for project_id, user_id, name, email, active in memberships.order_by().values_list(
        "project_id", "user_id", "user__full_name", "user__email", "user__is_active"
    ):
        members.add((project_id, user_id))
        if user_id not in people:
            people[user_id] = rules.Person(name or email, email, active)
    # People named by items who are no longer members anywhere open: their names,
    # to say whose item the lead receives.
    missing = sorted(
        {i.recipient_id for i in found if i.recipient_id is not None} - people.keys()
        | {lead_id for lead_id in leads.values() if lead_id not in people}
    )
    user_model = get_user_model()
    for start in range(0, len(missing), PEOPLE_CHUNK):
        for user_id, name, email, active in user_model.objects.filter(
            pk__in=missing[start : start + PEOPLE_CHUNK]
        ).values_list("pk", "full_name", "email", "is_active"):
            people[user_id] = rules.Person(name or email, email, active)
    frequencies = dict(
        ReminderPreference.objects.exclude(frequency=Frequency.DAILY).values_list(
            "user_id", "frequency"
        )
    )
    return rules.Facts(
        leads=leads,
        members=frozenset(members),
        people=people,
        frequencies=frequencies,
        escalate_after=escalate_after,
    )


def plan_for(
    today: dt.date,
    *,
    project_ids: Collection[int] | None = None,
    recipient_ids: Collection[int] | None = None,
) -> rules.Plan:
    """Every digest due `today` (or those of `recipient_ids`), from every item source."""
    found = list(items.collect(today, until=_until(today), project_ids=project_ids))
    planned = _plan(found, today=today, project_ids=project_ids)
    if recipient_ids is not None:
        wanted = set(recipient_ids)
        planned.digests = [d for d in planned.digests if d.recipient_id in wanted]
    return planned


def _until(today: dt.date) -> dt.date:
    # A weekly digest looks a week ahead; the rules keep the farther items for it only.
    return today + dt.timedelta(
        days=max(settings.REMINDERS_DUE_SOON_DAYS, rules.WEEKLY_DUE_SOON_DAYS)
    )


def _plan(
    found: list[items.HandoffItem], *, today: dt.date, project_ids: Collection[int] | None
) -> rules.Plan:
    return rules.plan(
        found,
        facts_for(found, project_ids=project_ids),
        today=today,
        escalate_after=settings.REMINDERS_ESCALATE_AFTER_DAYS,
        due_soon=settings.REMINDERS_DUE_SOON_DAYS,
    )


def preview_for(user_id: int, *, today: dt.date) -> tuple[rules.Digest | None, str]:
    """What `user_id`'s digest lists now, and why it would not be sent (their own page).

    Reads only the transitions they are a member of: nobody is told about others.
    Of those, only the ones they lead can send them other people's items (rerouted
    or escalated); elsewhere the sources are asked for the items addressed to them
    (`person`), so a viewer of every transition costs what their own items cost.
    """
    member_of = set(Membership.objects.filter(user_id=user_id).values_list("project_id", flat=True))
    led = set(
        Project.objects.filter(pk__in=member_of, lead_id=user_id)
        .order_by()
        .values_list("pk", flat=True)
    )
    until = _until(today)
    found = [
        *items.collect(today, until=until, project_ids=led),
        *items.collect(today, until=until, project_ids=member_of - led, person=user_id),
    ]
    planned = _plan(found, today=today, project_ids={item.project_id for item in found} | led)
    for digest in planned.digests:
        if digest.recipient_id == user_id:
            return digest, ""
    for digest, why in planned.held:
        if digest.recipient_id == user_id:
            return digest, why
    return None, ""


def sweep(
    *,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
    recipient_ids: Collection[int] | None = None,
) -> SweepReport:
    """Send `today`'s digests that no sweep has sent (or is sending) yet."""
    planned = plan_for(today, recipient_ids=recipient_ids)
    report = SweepReport(today=today, plan=planned)
    if dry_run:
        return report
    size = settings.REMINDERS_BATCH_SIZE
    for start in range(0, len(planned.digests), size):
        deliver(planned.digests[start : start + size], today=today, now=now, report=report)
    return report


def retry_failed(*, today: dt.date, now: dt.datetime) -> SweepReport | None:
    """Send again today's failed digests whose backoff has passed (None: there are none).

    The digest is planned afresh, so an item done since the failure is not sent.
    """
    due = list(
        DigestLog.objects.filter(
            digest_date=today, status=DigestStatus.FAILED, next_attempt_at__lte=now
        ).values_list("recipient_id", flat=True)
    )
    if not due:
        return None
    report = sweep(today=today, now=now, recipient_ids=due)
    # Whoever has nothing left to be told (their items were done since) is not retried
    # again: the failure stays on their page, saying so.
    told = {digest.recipient_id for digest in report.plan.digests}
    DigestLog.objects.filter(
        digest_date=today,
        status=DigestStatus.FAILED,
        recipient_id__in=[recipient_id for recipient_id in due if recipient_id not in told],
    ).update(
        next_attempt_at=None,
        last_error=Concat(F("last_error"), Value(NOTHING_LEFT)),
    )
    return report


def deliver(
    batch: list[rules.Digest], *, today: dt.date, now: dt.datetime, report: SweepReport
) -> None:
    """Claim, send and record one batch of digests.

    Guarantee: each (recipient, day) is sent at most once, however many sweeps run,
    at once or one after the other, except in one window. The claim is a database
    fact: the unique (recipient, digest_date) row is inserted with this sweep's token
    (a second sweep's insert does nothing), or a failed row whose backoff has passed
    is taken by a conditional UPDATE (of two sweeps, one changes the row; the other's
    WHERE no longer matches). Only rows carrying this sweep's token are sent.

    The window: the process dies after the SMTP server accepted a message and
    before this batch is marked sent (the one UPDATE after the batch). The row then
    stays "claimed"; after `CLAIM_EXPIRES` a later sweep of the same day takes it
    again and the person gets that day's digest twice. Nothing is lost in the
    other order: a digest whose sending failed is retried with backoff, up to
    `REMINDERS_MAX_ATTEMPTS` attempts, then shown as failed on the Reminders pages.
    """
    token = uuid.uuid4().hex
    by_recipient = {d.recipient_id: d for d in batch}
    with transaction.atomic():
        # What is about to be sent is recorded with the claim: a crash still leaves it.
        DigestLog.objects.bulk_create(
            [
                DigestLog(
                    recipient_id=recipient_id,
                    digest_date=today,
                    status=DigestStatus.CLAIMED,
                    claim_token=token,
                    claimed_at=now,
                    attempts=1,
                    **_contents(digest),
                )
                for recipient_id, digest in by_recipient.items()
            ],
            ignore_conflicts=True,
        )
        retried = (
            DigestLog.objects.filter(recipient_id__in=list(by_recipient), digest_date=today)
            .filter(
                Q(
                    status=DigestStatus.FAILED,
                    next_attempt_at__lte=now,
                    attempts__lt=settings.REMINDERS_MAX_ATTEMPTS,
                )
                | Q(status=DigestStatus.CLAIMED, claimed_at__lt=now - CLAIM_EXPIRES)
            )
            .update(
                status=DigestStatus.CLAIMED,
                claim_token=token,
                claimed_at=now,
                attempts=F("attempts") + 1,
                next_attempt_at=None,
            )
        )
    claimed = list(
        DigestLog.objects.filter(digest_date=today, claim_token=token).only(
            "pk", "recipient_id", "attempts"
        )
    )
    report.skipped += len(batch) - len(claimed)
    if not claimed:
        return
    if retried:
        # A retry is planned afresh: record what it lists now (rare, so row by row).
        for row in claimed:
            if row.attempts > 1:
                DigestLog.objects.filter(pk=row.pk, claim_token=token).update(
                    **_contents(by_recipient[row.recipient_id])
                )
    DigestLog.projects.through.objects.bulk_create(
        [
            DigestLog.projects.through(digestlog_id=row.pk, project_id=project_id)
            for row in claimed
            for project_id in by_recipient[row.recipient_id].project_ids
        ],
        ignore_conflicts=True,
    )

    sent_ids: list[int] = []
    failed: list[DigestLog] = []
    connection: Any = mail.get_connection()
    opened_error: BaseException | None = None
    try:
        connection.open()
    except SEND_ERRORS as error:  # every digest of the batch fails with it
        connection, opened_error = None, error
    try:
        for row in claimed:
            digest = by_recipient[row.recipient_id]
            error_text = ""
            if opened_error is not None:
                error_text = _describe(opened_error)
            else:
                message = emails.message_for(digest, today=today)
                message.connection = connection
                try:
                    message.send()
                except SEND_ERRORS as error:
                    error_text = _describe(error)
            if error_text:
                _fail(row, error_text, now)
                failed.append(row)
                report.failed.append((digest, error_text))
                logger.warning("Reminder digest %s not sent: %s", row.pk, error_text)
            else:
                sent_ids.append(row.pk)
                report.sent.append(digest)
    finally:
        if connection is not None:
            connection.close()
        # Mark what was sent even when an unexpected error stops the batch midway,
        # so the window for a duplicate stays as narrow as it can be.
        if sent_ids:
            DigestLog.objects.filter(pk__in=sent_ids, claim_token=token).update(
                status=DigestStatus.SENT, sent_at=now, last_error=""
            )
        if failed:
            DigestLog.objects.bulk_update(failed, ["status", "next_attempt_at", "last_error"])


def _contents(digest: rules.Digest) -> dict[str, Any]:
    return {
        "subject": digest.subject[:255],
        "item_keys": digest.item_keys,
        "escalated_keys": digest.escalated_keys,
    }


def _fail(row: DigestLog, error: str, now: dt.datetime) -> None:
    row.status = DigestStatus.FAILED
    row.last_error = error[:2000]
    if row.attempts >= settings.REMINDERS_MAX_ATTEMPTS:
        row.next_attempt_at = None  # given up: the Reminders pages show it
    else:
        row.next_attempt_at = now + RETRY_AFTER * 2 ** (row.attempts - 1)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def preference_set(*, user_id: int, frequency: str) -> ReminderPreference:
    """Record how often `user_id` wants their digest (the person's own choice)."""
    preference, _ = ReminderPreference.objects.update_or_create(
        user_id=user_id, defaults={"frequency": frequency}
    )
    return preference


def frequency_of(user_id: int) -> str:
    found = (
        ReminderPreference.objects.filter(user_id=user_id)
        .values_list("frequency", flat=True)
        .first()
    )
    return found or Frequency.DAILY
