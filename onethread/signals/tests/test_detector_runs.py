import datetime as dt

import pytest

from onethread.journeys.models import EventKind, JourneyEvent
from onethread.signals.detectors import risk
from onethread.signals.models import Checkpoint, DetectorRun, Signal
from onethread.signals.runner import run_detectors, run_incremental
from onethread.signals.tests.helpers import NOW
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def broken(scope, now):
    raise RuntimeError("the rule tripped over bad data")


def test_a_failing_detector_does_not_stop_the_others_and_is_recorded():
    make_journey(owner=make_member(Role.SDR), at=NOW - dt.timedelta(days=40))
    runs = run_detectors(now=NOW, detectors={"broken": broken, "silence": risk.silence})
    assert [(run.detector, run.status) for run in runs] == [
        ("broken", DetectorRun.Status.FAILED),
        ("silence", DetectorRun.Status.OK),
    ]
    failed = DetectorRun.objects.get(detector="broken")
    assert "RuntimeError: the rule tripped over bad data" in failed.error
    assert failed.finished_at is not None
    assert Signal.objects.filter(kind="silence").count() == 1


def test_incremental_detection_looks_only_at_journeys_with_new_events():
    owner = make_member(Role.SDR)
    old = make_journey(owner=owner, at=NOW - dt.timedelta(days=40))
    seen: list[set[int]] = []

    def spy(scope, now):
        seen.append(set(scope))
        return risk.silence(scope, now)

    run_incremental(now=NOW, detectors={"silence": spy})
    new = make_journey(owner=owner, at=NOW - dt.timedelta(days=50))
    run_incremental(now=NOW, detectors={"silence": spy})
    assert seen == [{old.pk}, {new.pk}]
    assert Signal.objects.filter(kind="silence").count() == 2
    # Nothing new but the signals' own events: nothing to look at.
    assert run_incremental(now=NOW, detectors={"silence": spy}) == []
    assert len(seen) == 2
    assert Checkpoint.objects.get().last_event_id > 0


def test_incremental_detection_passes_the_signals_own_events_once():
    owner = make_member(Role.SDR)
    make_journey(owner=owner, at=NOW - dt.timedelta(days=40))
    run_incremental(now=NOW, detectors={"silence": risk.silence})
    # The run raised a silence signal: its own event is the last one.
    last = JourneyEvent.objects.order_by("-id").first()
    assert last is not None
    assert last.kind == EventKind.SIGNAL_RAISED
    assert run_incremental(now=NOW, detectors={"silence": risk.silence}) == []
    assert Checkpoint.objects.get().last_event_id == last.pk
    # A new journey after them is looked at, and only it.
    new = make_journey(owner=owner, at=NOW - dt.timedelta(days=50))
    seen: list[set[int]] = []

    def spy(scope, now):
        seen.append(set(scope))
        return []

    run_incremental(now=NOW, detectors={"spy": spy})
    assert seen == [{new.pk}]
    assert Checkpoint.objects.get().last_event_id == new.events.latest("id").pk


def test_incremental_detection_reads_a_bounded_number_of_events_per_run():
    owner = make_member(Role.SDR)
    first = make_journey(owner=owner, at=NOW - dt.timedelta(days=40))
    second = make_journey(owner=owner, at=NOW - dt.timedelta(days=40))
    seen: list[set[int]] = []

    def spy(scope, now):
        seen.append(set(scope))
        return []

    run_incremental(now=NOW, max_events=2, detectors={"spy": spy})
    run_incremental(now=NOW, max_events=100, detectors={"spy": spy})
    assert seen[0] == {first.pk}
    assert second.pk in seen[1]


def test_a_full_run_forgets_old_successes_but_keeps_failures_for_a_month():
    from onethread.signals.runner import run_full

    old_ok = DetectorRun.objects.create(detector="silence", status="ok")
    old_failure = DetectorRun.objects.create(detector="upsell", status="failed", error="x")
    DetectorRun.objects.filter(pk=old_ok.pk).update(started_at=NOW - dt.timedelta(days=8))
    DetectorRun.objects.filter(pk=old_failure.pk).update(started_at=NOW - dt.timedelta(days=8))
    run_full(now=NOW)
    assert not DetectorRun.objects.filter(pk=old_ok.pk).exists()
    assert DetectorRun.objects.filter(pk=old_failure.pk).exists()


def test_detectors_run_with_the_cycle_collector_off_and_it_is_back_on_after_even_on_failure():
    import gc

    seen = []

    def looking(scope, now):
        seen.append(gc.isenabled())
        return []

    was = gc.isenabled()
    gc.enable()
    try:
        runs = run_detectors(now=NOW, detectors={"broken": broken, "looking": looking})
        assert [run.status for run in runs] == [DetectorRun.Status.FAILED, DetectorRun.Status.OK]
        assert seen == [False]
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()
