"""`onethread serve`: the web application behind gunicorn."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]


class GunicornServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from onethread.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve onethread over HTTP (gunicorn, threaded workers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Processes (default 2).")
        parser.add_argument("--threads", type=int, default=4, help="Threads per process.")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **kw: Any
    ) -> None:
        self.stdout.write(f"onethread is serving on http://{host}:{port}/ (Ctrl+C stops it)")
        GunicornServer(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                "graceful_timeout": 5,
                "control_socket_disable": True,
            }
        ).run()
