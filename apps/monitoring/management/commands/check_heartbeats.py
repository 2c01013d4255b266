from django.core.management.base import BaseCommand

from apps.monitoring import services


class Command(BaseCommand):
    help = (
        "Refresh the summary of each transition in hypercare whose monitoring heartbeat "
        "turned silent or came back (beat runs it every minute)."
    )

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{services.heartbeats_check()} summaries refreshed.")
