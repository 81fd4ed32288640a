"""`onethread worker`: background tasks (webhook deliveries, emails) and the
periodic jobs (overdue handoffs every minute)."""

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onethread.worker import BackgroundWorker


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs until stopped (Ctrl+C or SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the periodic jobs, run every ready task, then exit.",
        )
        parser.add_argument(
            "--max-seconds", type=float, default=None, help="Exit after this many seconds."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at an empty queue (default 1).",
        )

    def handle(
        self, *args: Any, once: bool, max_seconds: float | None, interval: float, **kw: Any
    ) -> None:
        if max_seconds is not None and max_seconds <= 0:
            raise CommandError("--max-seconds must be positive.")
        if interval <= 0:
            raise CommandError("--interval must be positive.")
        worker = BackgroundWorker(interval=interval)

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write("Stopping after the current task (again to force).")
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            worker.request_stop()

        previous = signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop)
        if not once:
            self.stdout.write("onethread worker is running (Ctrl+C stops it).")
        try:
            ran = worker.run(once=once, max_seconds=max_seconds)
        finally:
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])
        self.stdout.write(f"Ran {ran} task{'s' if ran != 1 else ''}.")
