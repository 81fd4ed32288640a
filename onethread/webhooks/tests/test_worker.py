"""`onethread worker`: runs the queued tasks and the periodic jobs, survives
failing tasks, and stops when told."""

import datetime as dt
import logging
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onethread.handoffs.services import send_handoff
from onethread.journeys.models import EventKind
from onethread.notifications.models import Notification
from onethread.team.models import Role
from onethread.worker import PeriodicJob, Scheduler, prune_task_results
from tests.builders import make_journey, make_member, stage


@task
def explode() -> None:
    raise RuntimeError("The receiver's certificate expired")


@task
def answer() -> int:
    return 42


@pytest.mark.django_db
def test_worker_once_flags_an_overdue_handoff_once():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        override_reason="Sent yesterday",
        at=timezone.now() - dt.timedelta(hours=25),
    )
    call_command("worker", "--once")
    handoff.refresh_from_db()
    assert handoff.overdue_flagged_at is not None
    assert journey.events.filter(kind=EventKind.HANDOFF_OVERDUE).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.HANDOFF_OVERDUE).count() == 2

    call_command("worker", "--once")
    assert journey.events.filter(kind=EventKind.HANDOFF_OVERDUE).count() == 1


@pytest.mark.django_db
def test_a_failing_task_is_logged_and_the_worker_goes_on(caplog):
    failing = explode.enqueue()
    succeeding = answer.enqueue()
    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        call_command("worker", "--once")
    assert DBTaskResult.objects.get(pk=failing.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=succeeding.id).return_value == 42
    assert "The receiver's certificate expired" in caplog.text


@pytest.mark.django_db
def test_a_running_worker_stops_after_max_seconds():
    started = time.monotonic()
    call_command("worker", "--max-seconds", "0.5", "--interval", "0.1")
    assert 0.5 <= time.monotonic() - started < 5
    # The periodic jobs ran once, not once per look at the queue.
    assert DBTaskResult.objects.filter(task_path__endswith="flag_overdue_handoffs").count() == 1


def test_bad_durations_are_refused():
    with pytest.raises(CommandError, match="max-seconds"):
        call_command("worker", "--max-seconds", "0")


class FakeTask:
    def __init__(self, name: str, *, broken: bool = False) -> None:
        self.name = name
        self.module_path = f"fake.{name}"
        self.backend = "default"
        self.broken = broken
        self.enqueued = 0

    def enqueue(self) -> None:
        if self.broken:
            raise ConnectionError("database unreachable")
        self.enqueued += 1


def always(job: PeriodicJob) -> bool:
    job.task.enqueue()
    return True


def test_periodic_jobs_are_looked_at_start_then_every_interval(caplog):
    clock = [1000.0]
    minutely, broken = FakeTask("minutely"), FakeTask("broken", broken=True)
    scheduler = Scheduler(
        [PeriodicJob(broken, 60), PeriodicJob(minutely, 60)],
        clock=lambda: clock[0],
        enqueue=always,
    )
    assert scheduler.enqueue_due() == 1
    clock[0] += 59
    assert scheduler.enqueue_due() == 0
    clock[0] += 1
    assert scheduler.enqueue_due() == 1
    assert minutely.enqueued == 2
    assert "Could not enqueue the periodic job broken" in caplog.text


def queued(task_path_end: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=task_path_end).count()


@pytest.mark.django_db
def test_two_processes_enqueue_a_periodic_job_once_per_period():
    # Two web processes, each with its own scheduler, start at the same time.
    first, second = Scheduler([PeriodicJob(answer, 60)]), Scheduler([PeriodicJob(answer, 60)])
    assert first.enqueue_due() == 1
    assert second.enqueue_due() == 0
    assert queued("answer") == 1

    # The run is done; within the period nobody enqueues it again.
    call_command("worker", "--once")
    first.next_run = second.next_run = [0.0]
    assert second.enqueue_due() == 0
    assert first.enqueue_due() == 0

    # A period later, the first process to look enqueues it, the other does not.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=61))
    first.next_run = second.next_run = [0.0]
    assert second.enqueue_due() == 1
    assert first.enqueue_due() == 0
    assert queued("answer") == 2


@pytest.mark.django_db
def test_a_periodic_job_still_waiting_in_the_queue_is_not_enqueued_again():
    scheduler = Scheduler([PeriodicJob(answer, 60)])
    assert scheduler.enqueue_due() == 1
    # No worker ran it, and its period has passed: one waiting run is enough.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    scheduler.next_run = [0.0]
    assert scheduler.enqueue_due() == 0
    assert queued("answer") == 1


@pytest.mark.django_db
def test_old_finished_task_results_are_pruned_and_recent_or_waiting_ones_kept():
    old, recent, waiting = answer.enqueue(), answer.enqueue(), explode.enqueue()
    finished = timezone.now() - dt.timedelta(days=15)
    DBTaskResult.objects.filter(pk__in=[old.id, recent.id]).update(status="SUCCESSFUL")
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=finished)
    DBTaskResult.objects.filter(pk=recent.id).update(finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=finished)
    prune_task_results.call()
    kept = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert kept == {recent.id, waiting.id}
