"""`onethread insights refresh`: fold new journey events into the aggregates
the dashboards and the report read (the worker also does it every minute)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onethread.insights import services


class Command(BaseCommand):
    help = "Maintain the insights aggregates."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        refresh = actions.add_parser("refresh", help="Fold new events into the aggregates.")
        refresh.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)
        refresh.add_argument("--full", action="store_true", help="Recompute from nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = services.refresh_insights(batch_size=options["batch_size"], full=options["full"])
        self.stdout.write(
            f"Folded {result.events:,} events into the aggregates of {result.journeys:,} "
            f"journeys in {result.batches} batch(es); checkpoint at event {result.last_event_id}."
        )
