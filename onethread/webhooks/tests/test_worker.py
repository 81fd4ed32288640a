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
from onethread.worker import PeriodicJob, Scheduler
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
        self.broken = broken
        self.enqueued = 0

    def enqueue(self) -> None:
        if self.broken:
            raise ConnectionError("database unreachable")
        self.enqueued += 1


def test_periodic_jobs_are_enqueued_at_start_then_every_interval(caplog):
    clock = [1000.0]
    minutely, broken = FakeTask("minutely"), FakeTask("broken", broken=True)
    scheduler = Scheduler(
        [PeriodicJob(broken, 60), PeriodicJob(minutely, 60)], clock=lambda: clock[0]
    )
    assert scheduler.enqueue_due() == 1
    clock[0] += 59
    assert scheduler.enqueue_due() == 0
    clock[0] += 1
    assert scheduler.enqueue_due() == 1
    assert minutely.enqueued == 2
    assert "Could not enqueue the periodic job broken" in caplog.text
