"""`python manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]`: the beat task's twin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.reminders import services
from apps.reminders.digest import Digest


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date such as 2026-03-31, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Send today's reminder digests (the same code beat runs at REMINDERS_HOUR). "
        "Digests already sent today are not sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; send nothing."
        )
        parser.add_argument(
            "--date", type=str, help="The day to remind for (default: today, in TIME_ZONE)."
        )

    def handle(self, *args: Any, dry_run: bool, date: str | None, **options: Any) -> None:
        today = _date(date) if date else timezone.localdate()
        report = services.sweep(today=today, now=timezone.now(), dry_run=dry_run)
        planned = report.plan
        if dry_run:
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"{len(planned.digests)} digests for {today} (dry run)")
            )
            for digest in planned.digests:
                self._show(digest)
        for digest, why in planned.held:
            self.stdout.write(f"Held for {digest.person.email}: {why}")
        for item in planned.undeliverable:
            self.stdout.write(
                self.style.WARNING(
                    f"Undeliverable: {item.project_name}: {item.title} "
                    "(neither its owner nor the lead can be emailed)"
                )
            )
        if not dry_run:
            for digest, error in report.failed:
                self.stdout.write(self.style.ERROR(f"Failed for {digest.person.email}: {error}"))
            self.stdout.write(self.style.SUCCESS(report.summary()))

    def _show(self, digest: Digest) -> None:
        self.stdout.write("")
        self.stdout.write(f"To: {digest.person.name} <{digest.person.email}>")
        self.stdout.write(f"Subject: {digest.subject}")
        for label, overdue in (("Overdue", True), ("Due soon", False)):
            groups = digest.groups(overdue=overdue)
            if groups:
                self.stdout.write(f"  {label}")
            for group in groups:
                self.stdout.write(f"    {group.project_name}")
                for line in group.lines:
                    mark = f"[escalated: {line.owner}] " if line.escalated else ""
                    note = f" ({line.note})" if line.note else ""
                    self.stdout.write(
                        f"      - {mark}{line.item.title}, due {line.item.due_date}{note}"
                    )
