"""Demo reminder history: the digests of the last two mornings, one of them undelivered.

`seed(today=..., password=...)` runs after the transitions' seeder. For each of the
two days before `today` that has no digest yet, it records the digests the sweep
would have sent that morning (planned from the demo items as they are now), as sent
at REMINDERS_HOUR; two days ago, the operations lead's could not be delivered
(the mailbox refused it three times), so the Reminders pages show every state.
Nothing is emailed. Idempotent: a day that has digests is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.reminders import services
from apps.reminders.models import DigestLog, DigestStatus

REFUSED = "SMTPRecipientsRefused: {'opslead@demo.transition.example': (550, b'5.2.2 Mailbox full')}"


def seed(*, today: dt.date, password: str) -> list[str]:
    undeliverable_to = accounts_demo.people()["opslead"].pk
    lines = []
    for days_ago in (2, 1):
        day = today - dt.timedelta(days=days_ago)
        if DigestLog.objects.filter(digest_date=day).exists():
            lines.append(f"  Digests of {day}: already there")
            continue
        morning = timezone.make_aware(dt.datetime.combine(day, dt.time(settings.REMINDERS_HOUR)))
        digests = services.plan_for(day).digests
        for digest in digests:
            failed = days_ago == 2 and digest.recipient_id == undeliverable_to
            log = DigestLog.objects.create(
                recipient_id=digest.recipient_id,
                digest_date=day,
                status=DigestStatus.FAILED if failed else DigestStatus.SENT,
                claimed_at=morning,
                attempts=settings.REMINDERS_MAX_ATTEMPTS if failed else 1,
                last_error=REFUSED if failed else "",
                sent_at=None if failed else morning,
                subject=digest.subject,
                item_keys=digest.item_keys,
                escalated_keys=digest.escalated_keys,
            )
            log.projects.set(digest.project_ids)
        lines.append(f"  Digests of {day}: {len(digests)} recorded")
    return lines
