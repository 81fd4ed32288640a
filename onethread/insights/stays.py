"""The funnel's stays: each stay in a stage with whether it was finished and
whether the journey later stayed in an active stage further along, and what
can be prepared from them once per copy of the frames.

A dashboard view asks for the funnel of the journeys opened in a period. The
stays of a journey do not depend on the period, and depend on `now` only when
a stay was entered after it; so for the dashboards' copy (`prepare`, run when
the copy is loaded or follows a refresh) every journey's first stay per active
stage (an entry: did it advance?) and every finished stay are computed once,
with the journey's columns beside them, and indexed for counting
(prepared_funnel.py: entries by opening, durations sorted per stage). A view
then selects the rows of the journeys opened in its period and counts them:
no join, no per-journey grouping, no sort of durations per request. The
journeys with a stay entered after the cutoff are computed at the view's
`now` and counted beside them; when `now` is before the cutoff (a past
`now`), the funnel computes from the frames as before."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onethread.insights import funnel_splice, prepared_funnel, prepared_leads, prepared_sale
from onethread.insights.frames import (
    TIME,
    Frames,
    derived,
    kept_derived,
    member_of,
    unrestricted,
)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def stay_facts(
    visits: pa.Table, stages: pa.Table, now: dt.datetime | None, cohort: pa.Array | None
) -> pa.Table:
    """Each stay of the cohort's journeys (None: every journey) entered by
    `now` (None: whenever; left_at null if after it), whether it is finished
    by then, and whether the journey later stayed in an active stage further
    along (moved_on). Vectorised over the stays sorted by (journey, seq), as
    the aggregates and derive.py give them (sorted here otherwise): "later,
    further along" is a suffix maximum per journey, where an SQL window would
    sort every stay again."""
    ordered = sorted(stages.to_pylist(), key=lambda s: (s["position"], s["key"]))
    # (one dummy entry when there are no stages: then no stay is kept)
    positions = np.array([s["position"] for s in ordered] or [0], dtype=np.int64)
    active_of = np.array([s["kind"] == "active" for s in ordered] or [False])
    code = pc.index_in(
        visits["stage"], value_set=pa.array([s["key"] for s in ordered], pa.string())
    )
    keep = pc.is_valid(code)
    if cohort is not None:
        keep = pc.and_(keep, member_of(visits["journey_id"], cohort))
    moment = None if now is None else pa.scalar(now, TIME)
    if moment is not None:
        entered = visits["entered_at"]
        in_time = pc.or_kleene(pc.is_null(entered), pc.less_equal(entered, moment))
        keep = pc.and_(keep, pc.fill_null(in_time, False))
    visits, code = visits.filter(keep), code.filter(keep)
    journey, seq = visits["journey_id"].to_numpy(), visits["seq"].to_numpy()
    if (
        len(journey)
        and not (
            (journey[1:] > journey[:-1]) | ((journey[1:] == journey[:-1]) & (seq[1:] > seq[:-1]))
        ).all()
    ):
        order = np.lexsort((seq, journey))
        visits, code, journey = visits.take(order), code.take(order), journey[order]
    index = code.to_numpy(zero_copy_only=False).astype(np.int64)
    position, active = positions[index], active_of[index]
    count = len(journey)
    same_next = np.zeros(count, dtype=bool)
    same_next[:-1] = journey[1:] == journey[:-1]
    group = np.cumsum(np.diff(journey, prepend=journey[:1]) != 0)
    # Per journey, the furthest active position strictly after each stay
    # (-1: none): one reversed running maximum, journeys kept apart by an
    # offset larger than any position (later journeys can never win).
    spread = int(positions.max()) + 2
    value = np.where(active, position, -1) - group * spread
    suffix = np.maximum.accumulate(value[::-1])[::-1]
    following = np.full(count, -1, dtype=np.int64)
    following[:-1] = suffix[1:]
    later = np.where(same_next, following + group * spread, -1)
    left = visits["left_at"]
    finished = pc.is_valid(visits["next_stage"])
    if moment is not None:
        after_now = pc.fill_null(pc.greater(left, moment), False)
        left = pc.if_else(after_now, pa.scalar(None, TIME), left)
        finished = pc.and_(finished, pc.invert(after_now))
    return pa.table(
        {
            "journey_id": visits["journey_id"],
            "seq": visits["seq"],
            "idx": pa.array(index + 1, pa.int32()),
            "active": pa.array(active),
            "entered_at": visits["entered_at"],
            "left_at": left,
            "finished": finished,
            "moved_on": pa.array(later > position),
        }
    )


@dataclass(frozen=True)
class Prepared:
    """Entries and finished stays of every journey with an opening time and
    no stay entered after `cutoff`, indexed for the funnel (prepared_funnel),
    with their reach (scorecards); and the visits and journey rows of the
    others (`late_*`), computed per request. The journeys for lead to won
    and speed to lead, and the won journeys and value months for after the
    sale, indexed too. Valid for any `now` from `cutoff` on."""

    cutoff: dt.datetime
    funnel: prepared_funnel.FunnelIndex
    leads: prepared_leads.LeadIndex  # every journey's opening, win and first touch
    sale: prepared_sale.SaleIndex  # won journeys by win, value months by month
    late_visits: pa.Table
    late_journeys: pa.Table
    reach: pa.Table  # the furthest active position each of the others entered


KEY = "prepared stays"


Previous = tuple[Frames, pa.Array]  # a copy's frames before an increment, and its changed journeys


def prepare(frames: Frames, cutoff: dt.datetime, previous: Previous | None = None) -> Prepared:
    """Prepare the frames' stays for views at `cutoff` or later (once per
    frames; the dashboards' copy does it when it loads or follows a refresh).
    `previous`: the frames these were spliced from and the journeys whose
    rows changed; when those were prepared, only the changed journeys (and
    those with a stay after either cutoff) are prepared again and spliced in."""
    return derived(frames, KEY, lambda source: _prepare(source, cutoff, previous))


def _late_ids(visits: pa.Table, cutoff: dt.datetime) -> pa.Array:
    """The journeys with a stay entered after the cutoff."""
    after = pc.fill_null(pc.greater(visits["entered_at"], pa.scalar(cutoff, TIME)), False)
    return pc.filter(visits["journey_id"], after).unique()


def _prepare(frames: Frames, cutoff: dt.datetime, previous: Previous | None) -> Prepared:
    visits = frames.visits
    late_ids = _late_ids(visits, cutoff)
    late = member_of(visits["journey_id"], late_ids)
    old = None if previous is None else kept_derived(previous[0], KEY)
    if (
        previous is not None
        and isinstance(old, Prepared)
        and cutoff >= old.cutoff
        and previous[0].stages.equals(frames.stages)
    ):
        # The old late journeys may have none now; the new ones none before.
        redo = pa.concat_arrays(
            [previous[1], old.late_visits["journey_id"].combine_chunks().unique(), late_ids]
        ).unique()
        fresh = pc.and_(member_of(visits["journey_id"], redo), pc.invert(late))
        fresh_ids = pc.filter(visits["journey_id"], fresh).unique()
        part = _funnel_of(visits.filter(fresh), frames, fresh_ids)
        funnel = funnel_splice.spliced(old.funnel, redo, part)
        kept_reach = old.reach.filter(pc.invert(member_of(old.reach["journey_id"], redo)))
        fresh_reach = _reach(visits.filter(fresh), frames.stages, None)
        reach = pa.concat_tables([kept_reach, fresh_reach.cast(kept_reach.schema)])
    else:
        funnel = _funnel_of(visits.filter(pc.invert(late)), frames, None)
        reach = _reach(visits.filter(pc.invert(late)), frames.stages, None)
    return Prepared(
        cutoff,
        funnel,
        prepared_leads.build(frames.journeys),
        prepared_sale.build(frames.journeys, frames.monthly_value),
        visits.filter(late),
        _late_journeys(frames.journeys, late_ids),
        reach,
    )


def _funnel_of(
    visits: pa.Table, frames: Frames, journey_ids: pa.Array | None
) -> prepared_funnel.FunnelIndex:
    """The funnel index of these stays, of these journeys (None: all)."""
    journeys = frames.journeys
    if journey_ids is not None:
        journeys = journeys.filter(member_of(journeys["journey_id"], journey_ids))
    stays = stay_facts(visits, frames.stages, None, None)
    return prepared_funnel.build(*_rows(stays, journeys), frames.stages)


def _reach(visits: pa.Table, stages: pa.Table, now: dt.datetime | None) -> pa.Table:
    """Per journey, the furthest position of an active stage it entered (by
    `now`; a stay without a time counts)."""
    active = [s for s in stages.to_pylist() if s["kind"] == "active"]
    keys = pa.array([s["key"] for s in active], pa.string())
    code = pc.index_in(visits["stage"], value_set=keys)
    keep = pc.is_valid(code)
    if now is not None:
        entered = visits["entered_at"]
        in_time = pc.or_kleene(pc.is_null(entered), pc.less_equal(entered, pa.scalar(now, TIME)))
        keep = pc.and_(keep, pc.fill_null(in_time, False))
    positions = pa.array([s["position"] for s in active], pa.int32())
    entered = pa.table(
        {
            "journey_id": visits["journey_id"].filter(keep),
            "max_position": positions.take(code.filter(keep)),
        }
    )
    reach = entered.group_by("journey_id", use_threads=False).aggregate([("max_position", "max")])
    return reach.rename_columns(["journey_id", "max_position"])


def prepared_for(frames: Frames, now: dt.datetime) -> Prepared | None:
    """The preparation of the frames `restrict` started from, if valid at `now`."""
    source, _ = unrestricted(frames)
    prepared = kept_derived(source, KEY)
    if not isinstance(prepared, Prepared) or now < prepared.cutoff:
        return None
    return prepared


def late_reach(frames: Frames, now: dt.datetime) -> pa.Table | None:
    """Per journey with a stay after the cutoff, the furthest position of an
    active stage it entered by `now` (a stay without a time counts; the
    other journeys' reach is prepared); None when the frames were not
    prepared for this `now`."""
    prepared = prepared_for(frames, now)
    if prepared is None:
        return None
    late = _reach(prepared.late_visits, unrestricted(frames)[0].stages, now)
    return late.cast(prepared.reach.schema)


def _late_journeys(journeys: pa.Table, late_ids: pa.Array) -> pa.Table:
    """The journeys among late_ids with an opening time (the others are in no
    cohort)."""
    late = pc.and_(member_of(journeys["journey_id"], late_ids), pc.is_valid(journeys["opened_at"]))
    return journeys.filter(late)


def _rows(stays: pa.Table, journeys: pa.Table) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(entries, finished stays, journeys) of these stays (as stay_facts gives
    them, sorted by journey and seq): each with its journey's row among the
    journeys with an opening time (returned third), sorted by opening; the
    stays of journeys not among them left out. The journey's columns are
    taken per row by prepared_funnel as small codes, not here as text."""
    journeys = journeys.filter(pc.is_valid(journeys["opened_at"]))
    ids = np.asarray(journeys["journey_id"].to_numpy(), dtype=np.int64)
    by_id = np.argsort(ids, kind="stable")
    journey = np.asarray(stays["journey_id"].to_numpy(), dtype=np.int64)
    place = np.minimum(np.searchsorted(ids[by_id], journey), max(len(ids) - 1, 0))
    known = ids[by_id][place] == journey if len(ids) else np.zeros(len(journey), dtype=bool)
    row = by_id[place] if len(ids) else place
    # An entry: the first stay (lowest seq) of a journey in an active stage.
    active = np.flatnonzero(known & stays["active"].to_numpy(zero_copy_only=False))
    idx = np.asarray(stays["idx"].to_numpy(), dtype=np.int64)
    _, first = np.unique(journey[active] * (int(idx.max(initial=0)) + 1) + idx[active], True)
    entries = active[first]
    finished = np.flatnonzero(known & stays["finished"].to_numpy(zero_copy_only=False))
    opened = _micros(journeys)

    def table(at: np.ndarray, names: tuple[str, ...]) -> pa.Table:
        at = at[np.argsort(opened[row[at]], kind="stable")]
        taken = pa.array(at)
        data = {"journey_id": pa.array(journey[at]), "row": pa.array(row[at])}
        return pa.table(data | {name: stays[name].take(taken) for name in names})

    return (
        table(entries, ("idx", "moved_on")).rename_columns(
            ["journey_id", "row", "idx", "advanced"]
        ),
        table(finished, ("idx", "entered_at", "left_at")),
        journeys,
    )


def _micros(table: pa.Table) -> np.ndarray:
    opened = table["opened_at"].combine_chunks().cast(pa.int64())
    return np.asarray(opened.to_numpy(), dtype=np.int64)


def _late_rows(
    prepared: Prepared,
    stages: pa.Table,
    kept: pa.Array | pa.ChunkedArray | None,
    bounds: tuple[int, int, int],
    now: dt.datetime,
) -> tuple[pa.Table, pa.Table, pa.Table] | None:
    """The rows of the cohort's journeys with a stay after the cutoff, from
    their stays as of `now` (None: there are none)."""
    journeys = prepared.late_journeys
    opened = _micros(journeys)
    in_cohort = (opened >= bounds[0]) & (opened < bounds[1]) & (opened <= bounds[2])
    journeys = journeys.filter(pa.array(in_cohort))
    if kept is not None:
        journeys = journeys.filter(member_of(journeys["journey_id"], kept))
    if journeys.num_rows == 0:
        return None
    return _rows(stay_facts(prepared.late_visits, stages, now, journeys["journey_id"]), journeys)


def prepared_index(
    frames: Frames, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> (
    tuple[
        prepared_funnel.FunnelIndex,
        pa.Array | pa.ChunkedArray | None,
        tuple[int, int, int],
        prepared_funnel.FunnelIndex | None,
    ]
    | None
):
    """For the funnel of the journeys of `frames` (restricted or not) opened
    in [start, end) and by `now`: the prepared index, the journeys kept (None:
    all), the bounds in microseconds and the index of the rows of those with
    a stay after the cutoff (None: there are none); None when the frames were
    not prepared for this `now`."""
    source, kept = unrestricted(frames)
    prepared = kept_derived(source, KEY)
    if not isinstance(prepared, Prepared) or now < prepared.cutoff:
        return None
    bounds = (_us(start), _us(end), _us(now))
    late = _late_rows(prepared, source.stages, kept, bounds, now)
    late_index = None if late is None else prepared_funnel.build(*late, source.stages)
    return prepared.funnel, kept, bounds, late_index


def prepared_leads_of(
    frames: Frames, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> (
    tuple[prepared_leads.LeadIndex, pa.Array | pa.ChunkedArray | None, tuple[int, int, int]] | None
):
    """The prepared leads, the journeys kept (None: all) and the bounds in
    microseconds; None when the frames were not prepared for this `now`."""
    prepared = prepared_for(frames, now)
    if prepared is None:
        return None
    return prepared.leads, unrestricted(frames)[1], (_us(start), _us(end), _us(now))


def _us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // MICROSECOND
