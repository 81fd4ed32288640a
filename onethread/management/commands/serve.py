"""`onethread serve`: the web application behind gunicorn, with a background
worker thread in each web process unless `--no-worker`, and the insights
dashboards' copy loaded and kept up to date in another."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import get_resolver
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

from onethread.insights.columnar import start_following
from onethread.worker import start_thread


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


def prepare_web_process(web_worker: Any) -> None:
    """gunicorn's post_worker_init hook without the background worker. Import
    every URLconf now (the API's schemas take about half a second), not on
    the process's first request; load the insights dashboards' copy in the
    background and keep it following the aggregates, so no request waits for
    the load."""
    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    web_worker.onethread_insights = start_following()


def start_background_worker(web_worker: Any) -> None:
    """gunicorn's post_worker_init hook: runs in each web process after it forks."""
    prepare_web_process(web_worker)
    web_worker.onethread_background = start_thread()


def stop_background_worker(server: Any, web_worker: Any) -> None:
    """gunicorn's worker_exit hook: let the running task finish, within the
    graceful timeout."""
    running = getattr(web_worker, "onethread_background", None)
    if running is not None:
        thread, background = running
        background.request_stop()
        thread.join(timeout=4)


class Command(BaseCommand):
    help = "Serve onethread over HTTP (gunicorn, threaded workers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Processes (default 2).")
        parser.add_argument("--threads", type=int, default=4, help="Threads per process.")
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="Run no background worker here (a separate `onethread worker` runs).",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        threads: int,
        worker: bool,
        **kw: Any,
    ) -> None:
        self.stdout.write(f"onethread is serving on http://{host}:{port}/ (Ctrl+C stops it)")
        hooks = (
            {"post_worker_init": start_background_worker, "worker_exit": stop_background_worker}
            if worker
            else {"post_worker_init": prepare_web_process}
        )
        GunicornServer(
            {
                **hooks,
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
