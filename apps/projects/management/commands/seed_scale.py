"""`python manage.py seed_scale --transitions N`: a realistic portfolio at scale.

Additive: each run adds N more transitions (see `apps.projects.scale`).
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.projects import scale


class Command(BaseCommand):
    help = (
        "Add N transitions with members in every role, tasks, criteria and sign-offs, "
        "in every phase, with bulk inserts. Each run adds N more (it is additive)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--transitions", type=int, required=True, help="How many to add.")
        parser.add_argument("--tasks", type=int, default=20, help="Tasks per transition (20).")
        parser.add_argument(
            "--criteria", type=int, default=6, help="Acceptance criteria per transition (6)."
        )
        parser.add_argument(
            "--password",
            default=scale.DEFAULT_PASSWORD,
            help=f"The password of the people it creates (default: {scale.DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = scale.generate(
                transitions=options["transitions"],
                tasks=options["tasks"],
                criteria=options["criteria"],
                today=timezone.localdate(),
                now=timezone.now(),
                password=options["password"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        by_phase = ", ".join(f"{n} {phase}" for phase, n in sorted(result.phases.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.transitions} transitions ({by_phase or 'none'}) in {seconds:.1f}s:"
            )
        )
        self.stdout.write(
            f"  {result.memberships} memberships, {result.tasks} tasks, "
            f"{result.criteria} acceptance criteria, {result.signoffs} sign-offs "
            f"(active and revoked), {result.users_created} new people, and a summary "
            "row for each transition."
        )
        self.stdout.write(
            f"  Sign in as {scale.PMO_EMAIL} (a viewer of every transition), "
            f"{scale.pool_email('lead', 1)} or {scale.pool_email('ops', 1)}; "
            f"password {options['password']}."
        )
