from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from apps.projects import summary


class Command(BaseCommand):
    help = "Recompute every transition's dashboard summary not yet computed for today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Recompute every summary, even today's."
        )

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        count = summary.refresh_stale(today=today, everything=bool(options["all"]))
        self.stdout.write(f"{count} summaries refreshed for {today}.")
