"""`python manage.py seed_demo`: every app's demo data, and the logins; safe to run again."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.monitoring import demo as monitoring_demo
from apps.projects import demo as projects_demo
from apps.reminders import demo as reminders_demo
from apps.runbooks import demo as runbooks_demo
from apps.support import demo as support_demo

# Every app's demo seeder, one line per app, in the order they build on each other
# (people before the transitions they work in). Each is `seed(*, today, password)`,
# idempotent, and returns the lines to print under its heading.
SEEDERS: tuple[tuple[str, Callable[..., list[str]]], ...] = (
    ("Demo people and teams", accounts_demo.seed),
    ("Demo transitions", projects_demo.seed),
    ("Demo support models", support_demo.seed),
    ("Demo runbooks", runbooks_demo.seed),
    ("Demo monitoring", monitoring_demo.seed),  # after runbooks: its scenarios name alerts
    ("Demo reminder history", reminders_demo.seed),
)


class Command(BaseCommand):
    help = (
        "Create demo users in every role, two teams and three transitions in different "
        "phases. Running it again creates nothing new and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=accounts_demo.DEFAULT_PASSWORD,
            help=f"The password of every demo user (default: {accounts_demo.DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        today = timezone.localdate()
        # All or nothing: a seeder that stops (a plan the rules refuse) leaves no half demo.
        with transaction.atomic():
            reports = [(title, seed(today=today, password=password)) for title, seed in SEEDERS]
        for title, lines in reports:
            self.stdout.write(self.style.MIGRATE_HEADING(title))
            for line in lines:
                self.stdout.write(line)

        logins = accounts_demo.logins(password)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {settings.BASE_URL} and sign in as:"))
        email_width = max(len(login.email) for login in logins)
        label_width = max(len(login.label) for login in logins)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"  {'Email':<{email_width}}  {'Role':<{label_width}}  Password"
            )
        )
        for login in logins:
            self.stdout.write(
                f"  {login.email:<{email_width}}  {login.label:<{label_width}}  {login.password}"
            )
