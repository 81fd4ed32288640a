"""Journeys as imports make them: opened with their stage history, never with
an invented time; events gathered and written in bulk; and, once every file
is in, each journey's stage, first touch and account team settled."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F

from onethread.imports.bulk import BulkTable
from onethread.imports.csv_context import ImportContext, JourneyRef, Person, chunks
from onethread.imports.values import Moment
from onethread.journeys.models import AccountTeamMember, EventKind, Journey, JourneyEvent, Stage

EVENT_FIELDS = [
    "journey_id",
    "kind",
    "stage_id",
    "actor_id",
    "occurred_at",
    "recorded_at",
    "payload",
]
EVENT_FIELDS_WITH_ID = ["id", *EVENT_FIELDS]


@dataclass
class Events:
    """Journey events waiting to be written, in the order they were made."""

    now: dt.datetime
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(
        self,
        journey_id: int,
        kind: str,
        stage_id: int,
        at: dt.datetime | None,
        payload: dict[str, Any],
        actor_id: int | None = None,
    ) -> None:
        self.rows.append((journey_id, kind, stage_id, actor_id, at, self.now, payload))

    def flush(self) -> int:
        written = BulkTable(JourneyEvent, EVENT_FIELDS).insert(self.rows) if self.rows else 0
        self.rows = []
        return written


def when(moment: Moment | None) -> dt.datetime | None:
    return moment.at if moment is not None else None


def precision(moment: Moment | None) -> dict[str, Any]:
    """What an event's payload says of a time it was not given in full."""
    if moment is None:
        return {"time_known": False}
    return {} if moment.precise else {"precision": "day"}


@dataclass
class Opening:
    """What a row knows of a journey it opens."""

    account_id: int
    account_name: str
    opened: Moment
    stage_key: str | None  # the stage it stands in now, if the row says
    stage_time: Moment | None = None
    history: list[tuple[str, Moment | None]] = field(default_factory=list)
    reason: str = ""  # why it ended, when it stands in an outcome
    reasons: dict[str, str] = field(
        default_factory=dict
    )  # outcome stage → reason, from the mapping
    source: str = ""
    owner: Person | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    deal_id: int | None = None
    won_fallback: Moment | None = None  # a won or lost deal's close date


def ordered(history: list[tuple[str, Moment | None]]) -> list[tuple[str, Moment | None]]:
    """Dated entries by time, then the undated ones in the order given."""
    dated = [(key, moment) for key, moment in history if moment is not None]
    dated.sort(key=lambda entry: entry[1].at)
    return [*dated, *((key, moment) for key, moment in history if moment is None)]


def open_journey(
    context: ImportContext, events: Events, opening: Opening, team_id: int, system: str
) -> JourneyRef:
    stages = context.stages
    history = ordered(opening.history)
    first = min(
        (stage for stage in stages.values() if not stage.is_outcome),
        key=lambda stage: stage.position,
    )
    key = (
        opening.stage_key
        or next((k for k, m in reversed(history) if m is not None), None)
        or first.key
    )
    stage = stages[key]
    known = dict(history)
    moment = opening.stage_time or known.get(key)
    if moment is None and key == first.key:
        moment = opening.opened
    if moment is None and (stage.is_outcome or stage.side == Stage.Side.RETENTION):
        moment = opening.won_fallback
    latest = max([opening.opened.at, *(m.at for _, m in history if m is not None)])
    entered = moment.at if moment is not None else latest
    won_at = None  # won when it first stood after the sale, if anything says when
    if stage.side == Stage.Side.RETENTION:
        retention = [
            m.at for k, m in history if m is not None and stages[k].side == Stage.Side.RETENTION
        ]
        fallback = opening.won_fallback or (moment if moment is not opening.opened else None)
        won_at = min(retention) if retention else fallback.at if fallback else None
    journey = Journey.objects.create(
        account_id=opening.account_id,
        team_id=team_id,
        stage=stage,
        owner_id=opening.owner.member_id if opening.owner else None,
        source=opening.source,
        opened_at=opening.opened.at,
        stage_entered_at=entered,
        won_at=won_at,
        closed_at=entered if stage.is_outcome else None,
        outcome_reason=(opening.reason or opening.reasons.get(key, "")) if stage.is_outcome else "",
        attributes=opening.attributes,
    )
    actor = opening.owner.user_id if opening.owner else None
    events.add(
        journey.pk,
        EventKind.JOURNEY_OPENED,
        stage.pk,
        opening.opened.at,
        {
            "account": opening.account_name,
            "source": opening.source,
            "imported_from": system,
            **precision(opening.opened),
        },
        actor,
    )
    if key not in known:
        history.append((key, moment))
    reasons = opening.reasons | ({key: opening.reason} if opening.reason else {})
    stage_entries(
        context,
        events,
        journey.pk,
        history,
        reasons,
        system,
        deal_id=opening.deal_id,
        actor_id=actor,
    )
    if opening.owner is not None:
        context.seat(journey.pk, opening.owner.member_id, stage.pk, owned=True)
    ref = JourneyRef(journey.pk, stage.pk, opening.account_id, journey.closed_at)
    context.journey_opened(ref)
    return ref


def stage_entries(
    context: ImportContext,
    events: Events,
    journey_id: int,
    history: list[tuple[str, Moment | None]],
    reasons: dict[str, str],
    system: str,
    *,
    deal_id: int | None = None,
    actor_id: int | None = None,
    previous: str | None = None,
) -> None:
    """One stage_entered event per entry of a journey's history."""
    for key, moment in history:
        payload: dict[str, Any] = {"from": previous, "to": key} if previous else {"to": key}
        if context.stages[key].is_outcome and reasons.get(key):
            payload["reason"] = reasons[key]
        if deal_id is not None:
            payload["deal_id"] = deal_id
        payload |= precision(moment) | {"imported_from": system}
        events.add(
            journey_id,
            EventKind.STAGE_ENTERED,
            context.stages[key].pk,
            when(moment),
            payload,
            actor_id,
        )
        context.stage_changed(journey_id, when(moment), key, reasons.get(key, ""))
        previous = key


def settle(context: ImportContext) -> None:
    """Once every file is in: each journey with imported stage changes stands
    in the stage of the latest dated one, when that is later than the moment
    it entered its current stage (closed journeys stay closed); first touches
    set speed to lead; the people who worked a journey join its account team."""
    _settle_stages(context)
    _settle_first_touch(context)
    _settle_seats(context)


def _settle_stages(context: ImportContext) -> None:
    stages = context.stages
    by_id = {stage.pk: stage for stage in stages.values()}
    for chunk in chunks(sorted(context.latest_stage)):
        rows = Journey.objects.filter(id__in=chunk, closed_at__isnull=True).values_list(
            "id", "stage_id", "stage_entered_at", "won_at"
        )
        for journey_id, stage_id, entered, won_at in rows:
            at, key, reason = context.latest_stage[journey_id]
            stage = stages[key]
            if at <= entered or stage.pk == stage_id:
                continue
            changes: dict[str, Any] = {
                "stage": stage,
                "stage_entered_at": at,
                "version": F("version") + 1,
            }
            if stage.is_outcome:
                changes |= {"closed_at": at, "outcome_reason": reason}
            elif (
                stage.side == Stage.Side.RETENTION
                and by_id[stage_id].side == Stage.Side.ACQUISITION
                and won_at is None
            ):
                changes["won_at"] = at
            Journey.objects.filter(pk=journey_id).update(**changes)


def _settle_seats(context: ImportContext) -> None:
    """Seats on account teams, each once (a seat already there stays as it is):
    many rows per statement."""
    table = connection.ops.quote_name(AccountTeamMember._meta.db_table)
    joined = connection.ops.adapt_datetimefield_value(context.now)
    with connection.cursor() as cursor:
        for chunk in chunks(list(context.seats.items()), 1000):
            marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (journey_id, member_id, stage_id, owned, joined_at)"
                f" VALUES {marks} ON CONFLICT DO NOTHING",
                [value for seat, owned in chunk for value in (*seat, owned, joined)],
            )


def _settle_first_touch(context: ImportContext) -> None:
    """The earliest interaction of each journey is its first touch (speed to
    lead): one statement per thousand journeys on PostgreSQL, a prepared one
    run for each on SQLite (in-process, where that is as fast)."""
    if not context.first_touch:
        return
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Journey._meta.db_table)
    touches = sorted(context.first_touch.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in chunks(touches, 1000):
                marks = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(chunk))
                cursor.execute(
                    f"UPDATE {table} AS journey SET first_touch_at = touch.at"
                    f" FROM (VALUES {marks}) AS touch (id, at) WHERE journey.id = touch.id"
                    " AND (journey.first_touch_at IS NULL OR journey.first_touch_at > touch.at)",
                    [value for journey_id, at in chunk for value in (journey_id, at)],
                )
            return
        sql = (
            f"UPDATE {table} SET first_touch_at = %s WHERE id = %s"
            " AND (first_touch_at IS NULL OR first_touch_at > %s)"
        )
        for chunk in chunks(touches):
            cursor.executemany(
                sql, [(adapt(at), journey_id, adapt(at)) for journey_id, at in chunk]
            )
