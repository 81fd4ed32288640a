"""The dashboards' per-process columnar copy of the insights frames, and a
small cache of computed results.

Reading every JourneyFact row per request is far too slow at a million
journeys, so each process keeps the frames (pyarrow tables) in memory and
asks the database one cheap question per request: has the checkpoint moved?
When it has, only the aggregate rows the refresh wrote since (indexed
`refreshed_upto` marker) are read and spliced in, replacing those journeys'
rows; the context frames (handoffs, needs, seats ...) are read again whole.
A checkpoint that did not move forward (a full refresh), a row count that no
longer matches (journeys deleted), or a copy older than FULL_RELOAD_SECONDS
(a safety net) brings a full reload.

Each copy is prepared for the views once (stays.prepare: every journey's
stage entries and finished stays, indexed for the funnel; scorecards.prepare:
the seats members worked, with their journey's columns) as soon as it is
loaded or follows a refresh, so a view aggregates a slice of prepared rows;
after an increment, the funnel's index is the previous one with the changed
journeys' rows spliced in.
`start_following()` (run by `onethread serve` in each web process) loads the
copy when the process starts and follows the checkpoint every FOLLOW_SECONDS
in a background thread: a user rarely waits for a load, an increment or a
preparation.

Results are cached per (checkpoint, page, filters, period) for at most
RESULT_SECONDS, so repeated views of one dashboard cost no computation.
"""

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import close_old_connections, connections
from django.utils import timezone

from onethread.insights import adapter, scorecards
from onethread.insights.frames import Frames
from onethread.insights.models import Checkpoint, JourneyFact
from onethread.insights.services import CHECKPOINT

FULL_RELOAD_SECONDS = 6 * 3600
FOLLOW_SECONDS = 5.0
RESULT_SECONDS = 60.0
RESULTS_KEPT = 256
JOURNEY_LEVEL = ("journeys", "visits", "monthly_value")

State = tuple[int, str]
logger = logging.getLogger("onethread.insights")


@dataclass(frozen=True)
class Loaded:
    frames: Frames
    state: State
    at: float
    # After an increment: the frames it started from and the journeys whose
    # aggregate rows changed (their preparation is spliced).
    previous: tuple[Frames, pa.Array] | None = None


def checkpoint_state() -> State:
    """(last event id, refreshed at) of the aggregates: one indexed lookup."""
    row = (
        Checkpoint.objects.filter(name=CHECKPOINT)
        .values_list("last_event_id", "refreshed_at")
        .first()
    )
    return (0, "") if row is None else (row[0], row[1].isoformat())


def splice(old: pa.Table, new: pa.Table, changed: pa.Array) -> pa.Table:
    """The rows of `old` whose journey is not in `changed`, then `new`."""
    kept = old.filter(pc.invert(pc.is_in(old["journey_id"], value_set=changed)))
    return pa.concat_tables([kept, new.cast(old.schema)])


class ColumnarCopy:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = timezone.now,
    ) -> None:
        self._clock = clock
        self._now = now
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self.followed = False
        self.reloads = 0
        self.increments = 0

    def frames(self) -> tuple[Frames, State]:
        """The copy, following the checkpoint first; when a thread follows it
        (`start_following`), the copy it last made, so no request waits for
        an increment and its preparation (the page says as of which refresh)."""
        loaded = self._loaded
        if loaded is not None and self.followed:
            return loaded.frames, loaded.state
        return self.update()

    def update(self) -> tuple[Frames, State]:
        """Follow the checkpoint now (load, splice in the rows refreshed
        since, or nothing when it has not moved) and prepare the copy."""
        state = checkpoint_state()
        loaded = self._loaded
        if loaded is not None and loaded.state == state and not self._too_old(loaded):
            return loaded.frames, loaded.state
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded.state == state and not self._too_old(loaded):
                return loaded.frames, loaded.state  # another thread followed it meanwhile
            # A batch always moves the checkpoint forward; the same event id
            # at a new time, or an earlier one, is a full refresh (`--full`).
            if loaded is None or state[0] <= loaded.state[0] or self._too_old(loaded):
                loaded = self._full(state)
            elif loaded.state != state:
                loaded = self._increment(loaded, state)
            # Before any view reads it (views need a `now` from here on).
            scorecards.prepare(loaded.frames, self._now(), loaded.previous)  # the stays too
            self._loaded = replace(loaded, previous=None)  # the old frames may go
            return loaded.frames, loaded.state

    def ready(self) -> bool:
        """Whether a copy is loaded and prepared (perhaps behind the checkpoint)."""
        return self._loaded is not None

    def clear(self) -> None:
        with self._lock:
            self._loaded = None

    def _too_old(self, loaded: Loaded) -> bool:
        return self._clock() - loaded.at > FULL_RELOAD_SECONDS

    def _full(self, state: State) -> Loaded:
        self.reloads += 1
        return Loaded(adapter.read_frames(), state, self._clock())

    def _increment(self, loaded: Loaded, state: State) -> Loaded:
        newer = adapter.read_aggregates(since=loaded.state[0])
        changed = pa.concat_arrays(
            [newer[name]["journey_id"].combine_chunks() for name in JOURNEY_LEVEL]
        ).unique()
        # Every change to a journey's handoffs, needs, promises, interactions,
        # tickets or account team appends an event to it, so the journeys with
        # events since the copy's checkpoint are the only ones whose context
        # rows may have changed (the refresh leaves the aggregate rows of those
        # whose state and stage/value events did not change: `changed` ⊆ them).
        touched = pa.concat_arrays(
            [changed, pa.array(adapter.journeys_with_events(loaded.state[0], state[0]), pa.int64())]
        ).unique()
        context = adapter.read_context(touched.to_pylist())
        frames = loaded.frames
        tables = {name: splice(getattr(frames, name), new, changed) for name, new in newer.items()}
        # The funnel reads the stays in (journey, seq) order and sorts them
        # itself otherwise: sort once per checkpoint here, not per request.
        tables["visits"] = tables["visits"].sort_by(
            [("journey_id", "ascending"), ("seq", "ascending")]
        )
        tables.update(
            (name, splice(getattr(frames, name), new, touched))
            for name, new in context.items()
            if "journey_id" in new.column_names
        )
        whole = {name: new for name, new in context.items() if "journey_id" not in new.column_names}
        frames = replace(frames, **tables, **whole)
        if frames.journeys.num_rows != JourneyFact.objects.count():
            # Journeys deleted, or a full refresh in between: start again.
            return self._full(state)
        self.increments += 1
        return Loaded(frames, state, loaded.at, (loaded.frames, changed))


def follow(copy: ColumnarCopy, stop: threading.Event, every: float = FOLLOW_SECONDS) -> None:
    """Keep the copy loaded and up to date, at once then every `every`
    seconds until `stop` is set (a thread's loop; requests then read the copy
    as it is); a failure is logged and tried again next time."""
    copy.followed = True
    while True:
        try:
            copy.update()
        except Exception:
            logger.exception("The insights copy could not follow the checkpoint.")
        finally:
            # Broken or expired connections dropped as after a request; never
            # under a transaction the caller holds (a test).
            if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
                close_old_connections()
        if stop.wait(every):
            return


def start_following(copy: "ColumnarCopy | None" = None) -> threading.Event:
    """Load the copy now and follow the checkpoint, in a daemon thread of this
    process; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=follow, args=(copy or COPY, stop), name="onethread-insights-copy", daemon=True
    )
    thread.start()
    return stop


class Results:
    """A bounded, thread-safe cache of computed results with an age limit."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] <= RESULT_SECONDS:
                self._items.move_to_end(key)
                return hit[1]
        value = compute()
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > RESULTS_KEPT:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


COPY = ColumnarCopy()
RESULTS = Results()
