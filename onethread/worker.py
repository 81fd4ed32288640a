"""The background worker: runs the tasks queued in the database and enqueues
the periodic jobs when they are due.

`onethread worker` runs it in its own process; `onethread serve` runs it in a
thread of each web process unless told not to.

Tasks are claimed and run by django-tasks-db's own pieces (its ready-queue
query with row locks, `claim`, and `Worker.run_task`, which records the
result and logs a failure with its traceback). The loop is ours: between
tasks it also looks at the schedule and at a stop request, and it leaves the
database connection alone while the caller holds a transaction (a test), where
django-tasks-db's loop would close it."""

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connections, router, transaction
from django.db.models import Q
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from onethread.handoffs.tasks import flag_overdue_handoffs
from onethread.insights.tasks import refresh_insights
from onethread.signals.tasks import (
    detect_signals_fully,
    detect_signals_incrementally,
    record_health_scores,
    send_signal_digests,
)
from onethread.webhooks.tasks import send_late_deliveries

logger = logging.getLogger("onethread.worker")

# Tasks run between two looks at the schedule.
BATCH_SIZE = 20
# Finished tasks' results are kept this long (failures too: admins read them).
KEEP_RESULTS_DAYS = 14
# PostgreSQL advisory lock held while a scheduler decides to enqueue a job.
SCHEDULING_LOCK = 0x0E7E_AD01


@task
def prune_task_results() -> None:
    """Remove the results of tasks finished more than KEEP_RESULTS_DAYS ago, so
    the queue's table does not grow by every periodic run forever."""
    call_command(
        "prune_db_task_results", min_age_days=KEEP_RESULTS_DAYS, queue_name="*", verbosity=0
    )


class Enqueueable(Protocol):
    """A task taking no arguments (a Task, or a fake in tests)."""

    @property
    def name(self) -> str: ...

    @property
    def module_path(self) -> str: ...

    @property
    def backend(self) -> str: ...

    def enqueue(self) -> object: ...


@dataclass(frozen=True)
class PeriodicJob:
    task: Enqueueable
    every_seconds: float


PERIODIC_JOBS = (
    PeriodicJob(flag_overdue_handoffs, 60),
    PeriodicJob(send_late_deliveries, 60),
    PeriodicJob(detect_signals_incrementally, 60),
    PeriodicJob(detect_signals_fully, 6 * 3600),
    PeriodicJob(record_health_scores, 6 * 3600),
    PeriodicJob(send_signal_digests, 3600),
    PeriodicJob(refresh_insights, 60),
    PeriodicJob(prune_task_results, 24 * 3600),
)


def _scheduling_transaction(using: str) -> AbstractContextManager[object]:
    """A transaction that other schedulers of the deployment wait for."""
    if connections[using].vendor == "sqlite":
        return exclusive_transaction(using)
    return _locked_atomic(using)


@contextmanager
def _locked_atomic(using: str) -> Iterator[None]:
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            with connections[using].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULING_LOCK])
        yield


def enqueue_once_per_period(job: PeriodicJob) -> bool:
    """Enqueue the job unless the deployment's queue already holds a run of it
    waiting, or one enqueued within its period (by another web process or
    worker). The look and the enqueue are one transaction other schedulers
    wait for, so two processes never both enqueue it. Returns whether it was
    enqueued. Backends that run a task at once have no queue to look at."""
    if not isinstance(task_backends[job.task.backend], DatabaseBackend):
        job.task.enqueue()
        return True
    using = router.db_for_write(DBTaskResult)
    since = timezone.now() - dt.timedelta(seconds=job.every_seconds)
    with _scheduling_transaction(using):
        queued = DBTaskResult.objects.using(using).filter(
            Q(status=TaskResultStatus.READY) | Q(enqueued_at__gt=since),
            task_path=job.task.module_path,
            backend_name=job.task.backend,
        )
        if queued.exists():
            return False
        job.task.enqueue()
    return True


class Scheduler:
    """Looks at each job when it is due in this process: at start, then every
    `every_seconds`; `enqueue` decides whether to enqueue it (by default once
    per period for the whole deployment). A job that cannot be enqueued is
    logged and tried again next time."""

    def __init__(
        self,
        jobs: Sequence[PeriodicJob],
        *,
        clock: Callable[[], float] = time.monotonic,
        enqueue: Callable[[PeriodicJob], bool] = enqueue_once_per_period,
    ) -> None:
        self.jobs = list(jobs)
        self.clock = clock
        self.enqueue = enqueue
        self.next_run = [0.0] * len(self.jobs)

    def enqueue_due(self) -> int:
        now = self.clock()
        enqueued = 0
        for index, job in enumerate(self.jobs):
            if self.next_run[index] > now:
                continue
            self.next_run[index] = now + job.every_seconds
            try:
                enqueued += self.enqueue(job)
            except Exception:
                logger.exception("Could not enqueue the periodic job %s", job.task.name)
        return enqueued


def _tidy_connections(*, close: bool = False) -> None:
    """Drop broken or expired connections (or all, on the way out) between
    tasks, as a request would; never under a transaction the caller holds."""
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return
    if close:
        connections.close_all()
    else:
        close_old_connections()


class BackgroundWorker:
    def __init__(
        self,
        *,
        interval: float = 1.0,
        jobs: Sequence[PeriodicJob] = PERIODIC_JOBS,
        stop: threading.Event | None = None,
    ) -> None:
        self.interval = interval
        self.scheduler = Scheduler(jobs)
        self.stop = stop or threading.Event()
        self.backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        self.worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        self.runner = Worker(
            queue_names=["*"],
            interval=interval,
            batch=True,
            backend_name=self.backend.alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def run(self, *, once: bool = False, max_seconds: float | None = None) -> int:
        """Work until stopped, or for max_seconds; with once, enqueue the due
        jobs, run every ready task and return. Returns how many tasks ran."""
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        ran = 0
        try:
            while not self.stop.is_set():
                self.scheduler.enqueue_due()
                batch = self.run_batch()
                ran += batch
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if batch < BATCH_SIZE:
                    if once:
                        break
                    wait = self.interval
                    if deadline is not None:
                        wait = min(wait, max(deadline - time.monotonic(), 0))
                    self.stop.wait(wait)
        finally:
            _tidy_connections(close=True)
        return ran

    def run_batch(self) -> int:
        """Run up to BATCH_SIZE ready tasks. Other backends than the database
        run a task when it is enqueued: nothing to do here."""
        if not isinstance(self.backend, DatabaseBackend):
            return 0
        ran = 0
        while ran < BATCH_SIZE and not self.stop.is_set():
            _tidy_connections()
            try:
                claimed = self.claim_next()
            except Exception:
                # The database is away or failing: try again after a pause.
                logger.exception("The task queue could not be read")
                _tidy_connections(close=True)
                break
            if claimed is None:
                break
            self.runner.run_task(claimed)  # records the result; logs a failure
            ran += 1
        return ran

    def claim_next(self) -> DBTaskResult | None:
        """The next ready task, claimed by this worker (None if none, or if the
        database is busy: another worker is claiming)."""
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend.alias)
        try:
            with exclusive_transaction(ready.db):
                claimed = ready.get_locked()
                if claimed is not None:
                    claimed.claim(self.worker_id)
                return claimed
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise

    def request_stop(self) -> None:
        """Stop after the task that is running, if any."""
        self.stop.set()


def start_thread() -> tuple[threading.Thread, BackgroundWorker]:
    """Run a worker in a daemon thread of this process (used by `onethread serve`)."""
    worker = BackgroundWorker()
    thread = threading.Thread(target=worker.run, name="onethread-worker", daemon=True)
    thread.start()
    return thread, worker
