"""`python manage.py seed_demo`: demo users, teams and transitions; safe to run again."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from apps.projects import demo


class Command(BaseCommand):
    help = (
        "Create demo users in every role, two teams and three transitions in different "
        "phases. Running it again creates nothing new and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_PASSWORD,
            help=f"The password of every demo user (default: {demo.DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        today = timezone.localdate()
        result = demo.seed(today=today, password=password)

        self.stdout.write(self.style.MIGRATE_HEADING("Demo transitions"))
        for project in result.projects:
            state = "created" if project in result.created else "already there"
            go_live = f"go-live {project.go_live_date:%Y-%m-%d}" if project.go_live_date else ""
            self.stdout.write(
                f"  {project.name:<64} {project.get_phase_display():<10} {go_live}  ({state})"
            )

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {settings.BASE_URL} and sign in as:"))
        email_width = max(len(login.email) for login in result.logins)
        label_width = max(len(login.label) for login in result.logins)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"  {'Email':<{email_width}}  {'Role':<{label_width}}  Password"
            )
        )
        for login in result.logins:
            self.stdout.write(
                f"  {login.email:<{email_width}}  {login.label:<{label_width}}  {login.password}"
            )
