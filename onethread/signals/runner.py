"""Running the detectors: every one on every open journey (the scheduled full
run), or on the journeys with new events since the checkpoint (incremental).
Each detector runs in its own savepoint; one that fails is logged, recorded
as a failed DetectorRun (shown to admins) and does not stop the others."""

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable, Collection, Mapping

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from onethread.imports.bulk import no_cycle_collection
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.signals.detectors import DETECTORS, Detect
from onethread.signals.models import Checkpoint, DetectorRun
from onethread.signals.raising import raise_candidates

logger = logging.getLogger("onethread.signals")

INCREMENTAL = "incremental"
FULL = "full"
# The full run looks at journeys by slices of ids, and stops after the slice
# that takes it past its budget; the next run resumes there.
FULL_SLICE = 100_000
FULL_BUDGET_S = 300.0
# Events read per incremental run: bounds its time; the rest wait for the next.
MAX_EVENTS = 20_000
# Peer associations (customers like this) read every account's products and
# change slowly: the scheduled full run recomputes them, not each new event.
FULL_RUN_ONLY = frozenset({"customers_like_this"})
KEEP_RUNS = dt.timedelta(days=7)
KEEP_FAILURES = dt.timedelta(days=30)
# Events that signals write themselves do not call for a new look.
OWN_KINDS = (EventKind.SIGNAL_RAISED, EventKind.SIGNAL_ACTED, EventKind.SIGNAL_DISMISSED)


def run_detectors(
    *,
    now: dt.datetime,
    journey_ids: Collection[int] | None = None,
    mode: str = DetectorRun.Mode.FULL,
    detectors: Mapping[str, Detect] | None = None,
) -> list[DetectorRun]:
    runs = []
    for key, detect in (detectors if detectors is not None else DETECTORS).items():
        run = DetectorRun.objects.create(
            detector=key,
            mode=mode,
            started_at=timezone.now(),
            journeys=None
            if journey_ids is None or mode == DetectorRun.Mode.FULL
            else len(journey_ids),
        )
        started = time.monotonic()
        try:
            # Detection makes millions of short-lived rows and candidates: the
            # cycle collector would walk them again and again (a fifth of a
            # first run); it runs once after the detector instead.
            with no_cycle_collection(), transaction.atomic():
                raised = raise_candidates(detect(journey_ids, now), now=now)
        except Exception as error:
            logger.exception("Signal detector %s failed", key)
            run.status = DetectorRun.Status.FAILED
            run.error = f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}"[:10_000]
        else:
            run.status = DetectorRun.Status.OK
            run.raised = len(raised)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "raised", "error", "finished_at"])
        logger.debug("Detector %s: %s in %.2f s", key, run.status, time.monotonic() - started)
        runs.append(run)
    return runs


def run_full(
    *,
    now: dt.datetime,
    budget_s: float | None = FULL_BUDGET_S,
    slice_size: int = FULL_SLICE,
    clock: Callable[[], float] = time.monotonic,
) -> list[DetectorRun]:
    """Every detector on every open journey, slice by slice of journey ids.
    After a slice, if budget_s seconds have passed, the run stops and the
    "full" checkpoint keeps the last journey id done: the next run resumes
    after it (None: no budget, the whole pass). Then forget the runs that no
    longer matter (successes after KEEP_RUNS, failures after KEEP_FAILURES)."""
    started = clock()
    checkpoint, _ = Checkpoint.objects.get_or_create(name=FULL)
    done = checkpoint.last_event_id
    last = Journey.objects.filter(closed_at__isnull=True).aggregate(last=Max("id"))["last"] or 0
    runs: list[DetectorRun] = []
    if done == 0 and last:
        # Peer associations read every account at once: once per pass, not per slice.
        whole = {key: detect for key, detect in DETECTORS.items() if key in FULL_RUN_ONLY}
        runs += run_detectors(now=now, detectors=whole)
    sliced = {key: detect for key, detect in DETECTORS.items() if key not in FULL_RUN_ONLY}
    while done < last:
        upper = _slice_end(done, slice_size) or last
        runs += run_detectors(now=now, journey_ids=range(done + 1, upper + 1), detectors=sliced)
        done = upper
        if budget_s is not None and clock() - started >= budget_s and done < last:
            break
    else:
        done = 0  # the pass is complete: the next one starts from the first journey
    checkpoint.last_event_id = done
    checkpoint.updated_at = timezone.now()
    checkpoint.save(update_fields=["last_event_id", "updated_at"])
    DetectorRun.objects.filter(
        Q(status=DetectorRun.Status.OK, started_at__lt=now - KEEP_RUNS)
        | Q(status=DetectorRun.Status.FAILED, started_at__lt=now - KEEP_FAILURES)
    ).delete()
    return runs


def _slice_end(done: int, size: int) -> int | None:
    """The id of the size-th open journey after `done` (None: fewer are left)."""
    found = (
        Journey.objects.filter(closed_at__isnull=True, pk__gt=done)
        .order_by("pk")
        .values_list("pk", flat=True)[size - 1 : size]
    )
    return next(iter(found), None)


@transaction.atomic
def run_incremental(
    *, now: dt.datetime, max_events: int = MAX_EVENTS, detectors: Mapping[str, Detect] | None = None
) -> list[DetectorRun]:
    """Look again at the journeys with events after the checkpoint (at most
    max_events of them), then move the checkpoint. The checkpoint row is
    locked for the run, so two workers never read the same events."""
    Checkpoint.objects.get_or_create(name=INCREMENTAL)
    checkpoint = Checkpoint.objects.select_for_update().get(name=INCREMENTAL)
    window = JourneyEvent.objects.filter(id__gt=checkpoint.last_event_id)
    upto = window.order_by("-id").values_list("id", flat=True).first()
    if upto is None:
        return []
    rows = list(
        window.filter(id__lte=upto)
        .exclude(kind__in=OWN_KINDS)
        .order_by("id")
        .values_list("id", "journey_id")[:max_events]
    )
    # Every event up to `upto` was read unless the run stopped at max_events:
    # the signals' own events after the last one read (a full run writes
    # millions) are passed once, not read again by every later run.
    last_read = upto if len(rows) < max_events else rows[-1][0]
    if not rows:
        _move(checkpoint, last_read)
        return []
    if detectors is None:
        detectors = {key: detect for key, detect in DETECTORS.items() if key not in FULL_RUN_ONLY}
    runs = run_detectors(
        now=now,
        journey_ids={journey_id for _, journey_id in rows},
        mode=DetectorRun.Mode.INCREMENTAL,
        detectors=detectors,
    )
    _move(checkpoint, last_read)
    return runs


def _move(checkpoint: Checkpoint, last_event_id: int) -> None:
    checkpoint.last_event_id = last_event_id
    checkpoint.updated_at = timezone.now()
    checkpoint.save(update_fields=["last_event_id", "updated_at"])
