import datetime as dt

import pytest
from django.utils import timezone

from onethread.signals.models import DetectorRun, Signal
from onethread.signals.tasks import (
    detect_signals_fully,
    detect_signals_incrementally,
    record_health_scores,
)
from onethread.team.models import Role
from onethread.worker import PERIODIC_JOBS
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_the_worker_schedules_both_detection_tasks():
    scheduled = {job.task.name: job.every_seconds for job in PERIODIC_JOBS}
    assert scheduled[detect_signals_incrementally.name] == 60
    assert scheduled[detect_signals_fully.name] >= 3600
    assert scheduled[record_health_scores.name] >= 3600


def test_the_tasks_raise_signals_once_however_often_they_run():
    make_journey(owner=make_member(Role.SDR), at=timezone.now() - dt.timedelta(days=40))
    assert detect_signals_incrementally.call() == 1
    assert detect_signals_fully.call() == 0
    assert detect_signals_incrementally.call() == 0
    assert Signal.objects.count() == 1
    assert set(DetectorRun.objects.values_list("status", flat=True)) == {"ok"}


def test_the_command_detects_now_and_refuses_a_backtest_without_data(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_journey(owner=make_member(Role.SDR), at=timezone.now() - dt.timedelta(days=40))
    out = StringIO()
    call_command("signals", "detect", stdout=out)
    assert "silence: succeeded, 1 raised" in out.getvalue()
    with pytest.raises(CommandError, match="--olist"):
        call_command("signals", "backtest", "--olist", str(tmp_path))
