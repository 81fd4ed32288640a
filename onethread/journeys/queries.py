"""Reads for the journey board and the account thread. Each page runs a
fixed number of queries whatever the size of the database."""

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.models import Commitment
from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal, DealLineItem
from onethread.handoffs.models import Handoff
from onethread.journeys.access import member_sees, viewer_for, visible_journeys
from onethread.journeys.models import (
    AccountTeamMember,
    EventKind,
    Journey,
    JourneyEvent,
    Stage,
    StageCount,
)
from onethread.journeys.prepared import Prepared
from onethread.journeys.reference import Reference, reference
from onethread.needs.models import Need
from onethread.support.models import Ticket
from onethread.team.models import Member

BOARD_PAGE_SIZE = 20
SOURCES_LISTED = 200
TIMELINE_PAGE_SIZE = 30
CONTACTS_SHOWN = 50
ACCOUNT_JOURNEYS = 100


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class BoardFilters:
    scope: str = "all"  # all I can see | mine | team
    source: str | None = None

    SCOPES = ("all", "mine", "team")

    @classmethod
    def from_params(cls, scope: str | None, source: str | None) -> "BoardFilters":
        return cls(
            scope=scope if scope in cls.SCOPES else "all",
            source=source if source is not None and len(source) <= 100 else None,
        )


@dataclass
class BoardColumn:
    stage: Stage
    count: int
    cards: list["Card"]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Card:
    """What a board card shows, read as plain values (no model instances:
    the board shows many of them)."""

    journey_id: int
    url: str
    account_name: str
    owner_name: str
    stage_entered_at: dt.datetime
    days_in_stage: int
    open_needs: int
    overdue_commitments: int
    open_signals: int = 0

    # Labels written once here, not by template filters for every card.
    @property
    def days_label(self) -> str:
        return _plural(self.days_in_stage, "day")

    @property
    def needs_label(self) -> str:
        return _plural(self.open_needs, "open need")

    @property
    def overdue_label(self) -> str:
        return (
            _plural(self.overdue_commitments, "overdue promise") if self.overdue_commitments else ""
        )

    @property
    def signals_label(self) -> str:
        return _plural(self.open_signals, "open signal") if self.open_signals else ""


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class Board:
    columns: list[BoardColumn]
    outcomes: list[tuple[Stage, int]]
    sources: list[str]


def stages() -> list[Stage]:
    return list(reference().stages)


def _filtered(user: User | AnonymousUser, filters: BoardFilters) -> QuerySet[Journey]:
    viewer = viewer_for(user)
    journeys = visible_journeys(user)
    if filters.scope == "mine":
        journeys = journeys.filter(owner=viewer.member) if viewer.member else journeys.none()
    elif filters.scope == "team":
        journeys = (
            journeys.filter(team_id=viewer.member.team_id) if viewer.member else journeys.none()
        )
    if filters.source is not None:
        journeys = journeys.filter(source=filters.source)
    return journeys


def _by_stage(rows: QuerySet[Any], total: str) -> dict[int, int]:
    return {row["stage_id"]: row[total] or 0 for row in rows}


@dataclass(frozen=True)
class Seen:
    """A member's journeys outside their team, as the board shows them: how
    many per stage, and the first ones of each stage (id -> stage id)."""

    counts: dict[int, int]
    first: dict[int, int]


def _seen_elsewhere_rows(
    member: int, team: int, limit: int, source: str | None = None
) -> QuerySet[Any]:
    # The seats keep their journey's team (seats.py): those outside the team
    # are two ranges of seat_member_team_idx, without reading every seat's
    # journey. (The triggers leave no seat without a team.)
    seats = (
        AccountTeamMember.objects.filter(member_id=member)
        .filter(Q(journey_team_id__lt=team) | Q(journey_team_id__gt=team))
        .order_by()
        .values("journey_id")
    )
    handed = Handoff.objects.filter(to_member_id=member).order_by().values("journey_id")
    if connection.vendor == "postgresql":
        # By primary key: with IN, PostgreSQL scans every journey.
        ids, params = seats.union(handed).query.sql_with_params()
        chosen = RawSQL(f"{_journey_pk()} = ANY(ARRAY({ids}))", params, BooleanField())
        elsewhere = Journey.objects.exclude(team_id=team).filter(chosen)
    else:
        elsewhere = Journey.objects.exclude(team_id=team).filter(Q(pk__in=seats) | Q(pk__in=handed))
    if source is not None:
        elsewhere = elsewhere.filter(source=source)
    return (
        elsewhere.order_by()
        .annotate(
            place=Window(
                RowNumber(), partition_by=F("stage_id"), order_by=[F("stage_entered_at"), F("id")]
            ),
            in_stage=Window(Count("id"), partition_by=F("stage_id")),
        )
        .filter(place__lte=limit)
        .values_list("id", "stage_id", "in_stage")
    )


# Compiled once (prepared.py), with and without the source filter.
_SEEN_ELSEWHERE: Prepared[Journey] = Prepared(_seen_elsewhere_rows, member=int, team=int, limit=int)
_SEEN_ELSEWHERE_FROM_SOURCE: Prepared[Journey] = Prepared(
    _seen_elsewhere_rows, member=int, team=int, limit=int, source=str
)


def seen_elsewhere(member: Member, filters: BoardFilters, limit: int = BOARD_PAGE_SIZE) -> Seen:
    """The journeys outside the member's team that they see (through the
    account team or a handoff), as the board filters them: one query gives
    both the counts and the first `limit + 1` of every stage, where a column
    query would probe the member's seats for each journey of a stage."""
    values = {"member": member.pk, "team": member.team_id, "limit": limit + 1}
    if filters.source is None:
        rows = _SEEN_ELSEWHERE.rows(**values)
    else:
        rows = _SEEN_ELSEWHERE_FROM_SOURCE.rows(**values, source=filters.source)
    counts: dict[int, int] = {}
    first: dict[int, int] = {}
    for journey_id, stage_id, total in rows:
        counts[stage_id] = total
        first[journey_id] = stage_id
    return Seen(counts=counts, first=first)


def _sees_elsewhere(user: User | AnonymousUser, filters: BoardFilters) -> Member | None:
    """The member, when the board shows them journeys of other teams too."""
    viewer = viewer_for(user)
    if filters.scope == "all" and not viewer.sees_all:
        return viewer.member
    return None


def _cells(team: int | None = None, source: str | None = None) -> QuerySet[Any]:
    cells = StageCount.objects.order_by()
    if source is not None:
        cells = cells.filter(source=source)
    if team is not None:
        cells = cells.filter(team_id=team)
    return (
        cells.values("stage_id").annotate(n=Coalesce(Sum("count"), 0)).values_list("stage_id", "n")
    )


# The board's counts from the cells, compiled once (prepared.py) for each
# combination of filters: by the names of the values they take.
_STAGE_COUNT_READS: dict[tuple[str, ...], Prepared[StageCount]] = {
    (): Prepared(_cells),
    ("source",): Prepared(_cells, source=str),
    ("team",): Prepared(_cells, team=int),
    ("source", "team"): Prepared(_cells, team=int, source=str),
}


def stage_counts(
    user: User | AnonymousUser, filters: BoardFilters, elsewhere: Seen | None = None
) -> dict[int, int]:
    """Journeys per stage as the board filters them. Team-wide numbers come
    from the maintained StageCount cells; only a member's own journeys and
    those they see from other teams are counted row by row (`elsewhere`:
    those, when the caller has read them)."""
    viewer = viewer_for(user)
    member = viewer.member
    if filters.scope == "mine" or (
        member is None and not (viewer.sees_all and filters.scope == "all")
    ):
        return _by_stage(
            _filtered(user, filters).order_by().values("stage_id").annotate(n=Count("id")), "n"
        )
    values: dict[str, Any] = {}
    if filters.source is not None:
        values["source"] = filters.source
    if filters.scope == "team" or not viewer.sees_all:
        assert member is not None
        values["team"] = member.team_id
    counts = dict(_STAGE_COUNT_READS[tuple(sorted(values))].rows(**values))
    outside = _sees_elsewhere(user, filters)
    if outside is not None:
        seen = seen_elsewhere(outside, filters) if elsewhere is None else elsewhere
        for stage_id, n in seen.counts.items():
            counts[stage_id] = counts.get(stage_id, 0) + n
    return counts


def encode_cursor(entered_at: dt.datetime, journey_id: int) -> str:
    raw = f"{entered_at.isoformat()}|{journey_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, journey_id = raw.split("|")
        return dt.datetime.fromisoformat(stamp), int(journey_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor("That page link is not valid.") from error


def _open_needs() -> Coalesce:
    counts = (
        Need.objects.filter(journey=OuterRef("pk"), status=Need.Status.OPEN)
        .order_by()
        .values("journey")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _overdue_commitments(today: dt.date) -> Coalesce:
    counts = (
        Commitment.objects.filter(
            journey=OuterRef("pk"), status__in=Commitment.PENDING, due_on__lt=today
        )
        .order_by()
        .values("journey")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _open_signals() -> Coalesce:
    # Imported here: the signals app builds on journeys.
    from onethread.signals.models import Signal

    counts = (
        Signal.objects.filter(journey=OuterRef("pk"), status=Signal.Status.OPEN)
        .order_by()
        .values("journey")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


CARD_FIELDS = (
    "pk",
    "account_id",
    "account__name",
    "owner__user__first_name",
    "owner__user__last_name",
    "owner__user__username",
    "stage_entered_at",
    "open_needs",
    "overdue_commitments",
    "open_signals",
)


_ANY_ID = 999_999_999


def _card(row: tuple[Any, ...], now: dt.datetime, account_url: str) -> Card:
    pk, account_id, account, first, last, username, entered, needs, overdue, signals = row
    owner = f"{first or ''} {last or ''}".strip() or username or "Unassigned"
    url = account_url.replace(str(_ANY_ID), str(account_id))
    days = max((now - entered).days, 0)
    return Card(pk, url, account, owner, entered, days, needs, overdue, signals)


def _cards_query(
    user: User | AnonymousUser, stage_id: int, filters: BoardFilters, today: dt.date
) -> QuerySet[Any]:
    return _cards_of(_filtered(user, filters).filter(stage_id=stage_id), today)


def _cards_of(journeys: QuerySet[Journey], today: dt.date) -> QuerySet[Any]:
    return (
        journeys.annotate(
            open_needs=_open_needs(),
            overdue_commitments=_overdue_commitments(today),
            open_signals=_open_signals(),
        )
        .order_by("stage_entered_at", "id")
        .values_list(*CARD_FIELDS)
    )


def _page(
    rows: list[tuple[Any, ...]], now: dt.datetime, limit: int
) -> tuple[list[Card], str | None]:
    account_url = reverse("account-thread", args=[_ANY_ID])  # reversed once, not per card
    cards = [_card(row, now, account_url) for row in rows[: limit + 1]]
    if len(cards) <= limit:
        return cards, None
    cards = cards[:limit]
    return cards, encode_cursor(cards[-1].stage_entered_at, cards[-1].journey_id)


def column_cards(
    user: User | AnonymousUser,
    stage: Stage,
    filters: BoardFilters,
    *,
    now: dt.datetime,
    after: str | None = None,
    limit: int = BOARD_PAGE_SIZE,
) -> tuple[list[Card], str | None]:
    """One page of a stage's cards, longest in the stage first."""
    journeys = _cards_query(user, stage.pk, filters, timezone.localdate(now))
    if after:
        entered_at, journey_id = decode_cursor(after)
        journeys = journeys.filter(
            Q(stage_entered_at__gt=entered_at) | Q(stage_entered_at=entered_at, id__gt=journey_id)
        )
    return _page(list(journeys[: limit + 1]), now, limit)


_STAGE_SENTINEL = -7_654_321


def first_pages(
    user: User | AnonymousUser,
    stage_ids: list[int],
    filters: BoardFilters,
    *,
    now: dt.datetime,
    limit: int = BOARD_PAGE_SIZE,
    elsewhere: Seen | None = None,
) -> dict[int, tuple[list[Card], str | None]]:
    """The first page of every column in one statement: the ids of each
    column's first journeys (one small query per stage, UNION ALL), then the
    cards of those journeys, read once. (Repeating the whole card query per
    column took PostgreSQL 8-10 ms to plan.) Both are compiled once per
    process (prepared.py). With `elsewhere` (a member's journeys outside their
    team, read with at least this limit), the columns read the team's
    journeys by index and those others by id, and each column merges the two."""
    if not stage_ids:
        return {}
    member = _sees_elsewhere(user, filters) if elsewhere is not None else None
    column = _column_sql(user, filters, member, limit)
    if column is None:  # the filters leave nothing to see
        return {stage_id: ([], None) for stage_id in stage_ids}
    sql, params = column
    slot = list(params).index(_STAGE_SENTINEL)
    quote = connection.ops.quote_name
    parts = [f"SELECT c{n}.* FROM ({sql}) AS c{n}" for n in range(len(stage_ids))]
    arguments: list[Any] = []
    for stage_id in stage_ids:
        arguments += [stage_id if i == slot else value for i, value in enumerate(params)]
    chosen = list(elsewhere.first) if member is not None and elsewhere is not None else []
    if chosen:
        table, pk = quote(Journey._meta.db_table), quote(Journey._meta.pk.column or "id")
        marks = ", ".join(["%s"] * len(chosen))
        parts.append(f"SELECT {pk} FROM {table} WHERE {pk} IN ({marks})")
        arguments += chosen
    cards_sql, cards_params = _FIRST_CARDS.sql(today=timezone.localdate(now))
    converters = _row_converters()
    rows: dict[int, list[tuple[Any, ...]]] = {stage_id: [] for stage_id in stage_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {quote(_FIRSTS)} AS ({' UNION ALL '.join(parts)}) {cards_sql}",
            arguments + cards_params,
        )
        for *values, stage_id in cursor.fetchall():
            if stage_id in rows:
                rows[stage_id].append(converters(tuple(values)))
    for column_rows in rows.values():
        column_rows.sort(key=_card_order)
    return {stage_id: _page(rows[stage_id], now, limit) for stage_id in stage_ids}


_FIRSTS = "board_first_journeys"


def _journey_pk() -> str:
    quote = connection.ops.quote_name
    return f"{quote(Journey._meta.db_table)}.{quote(Journey._meta.pk.column or 'id')}"


def _first_cards(today: dt.date) -> QuerySet[Any]:
    """The cards of the journeys a board's columns start with (the ids in
    _FIRSTS), each with its stage."""
    pk = _journey_pk()
    firsts = f"SELECT * FROM {connection.ops.quote_name(_FIRSTS)}"
    # PostgreSQL reads them by primary key this way; with IN it may hash-join
    # a scan of every journey.
    chosen = (
        f"{pk} = ANY(ARRAY({firsts}))"
        if connection.vendor == "postgresql"
        else f"{pk} IN ({firsts})"
    )
    journeys = Journey.objects.filter(RawSQL(chosen, (), output_field=BooleanField()))
    return _cards_of(journeys, today).order_by().values_list(*CARD_FIELDS, "stage_id")


_FIRST_CARDS: Prepared[Journey] = Prepared(_first_cards, today=dt.date)


def _column_sql(
    user: User | AnonymousUser,
    filters: BoardFilters,
    own_team_of: Member | None,
    limit: int,
) -> tuple[str, list[Any]] | None:
    """The SQL of the ids of one column's first journeys, in board order, for
    the stage _STAGE_SENTINEL; None when the filters leave nothing to see.
    `own_team_of`: read only that member's team's journeys (the others they
    see are read by id)."""
    viewer = viewer_for(user)
    member = own_team_of or viewer.member
    if own_team_of is not None:
        mode = "own"
    elif viewer.sees_all:
        mode = "all"
    else:
        mode = "member"
    if member is None and (mode == "member" or filters.scope != "all"):
        return None
    values: dict[str, Any] = {"stage": _STAGE_SENTINEL}
    if mode == "member" or filters.scope == "mine":
        values["member"] = member.pk  # type: ignore[union-attr]
    if mode != "all" or filters.scope == "team":
        values["team"] = member.team_id  # type: ignore[union-attr]
    if filters.source is not None:
        values["source"] = filters.source
    return _column_read(mode, filters.scope, tuple(sorted(values)), limit).sql(**values)


_COLUMN_READS: dict[tuple[Any, ...], Prepared[Journey]] = {}


def _column_read(mode: str, scope: str, names: tuple[str, ...], limit: int) -> Prepared[Journey]:
    """A column's first ids, compiled once (prepared.py) for each kind of
    viewer, filter and page size."""
    key = (mode, scope, names, limit)
    read = _COLUMN_READS.get(key)
    if read is not None:
        return read

    def build(stage: int, member: int = 0, team: int = 0, source: str = "") -> QuerySet[Any]:
        if mode == "own":
            journeys = Journey.objects.filter(team_id=team)
        elif mode == "all":
            journeys = Journey.objects.all()
        else:
            journeys = Journey.objects.filter(member_sees(Member(pk=member, team_id=team)))
        if scope == "mine":
            journeys = journeys.filter(owner_id=member)
        elif scope == "team":
            journeys = journeys.filter(team_id=team)
        if "source" in names:
            journeys = journeys.filter(source=source)
        journeys = journeys.filter(stage_id=stage).order_by("stage_entered_at", "id")
        if mode == "own":
            # Team and stage are fixed: journey_team_idx gives this order (and
            # PostgreSQL prefers it once it has statistics on the pair, 0010).
            journeys = journeys.order_by("team_id", "stage_id", "stage_entered_at", "id")
        return journeys.values_list("id")[: limit + 1]

    kinds = {"stage": int, "member": int, "team": int, "source": str}
    read = Prepared(build, **{name: kinds[name] for name in names})
    return _COLUMN_READS.setdefault(key, read)


_ENTERED = CARD_FIELDS.index("stage_entered_at")


def _card_order(row: tuple[Any, ...]) -> tuple[dt.datetime, int]:
    return row[_ENTERED], row[0]


def _row_converters() -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Raw rows come back as the driver gives them: SQLite's datetimes are
    naive UTC (or text, when its type did not survive the subquery)."""
    position = CARD_FIELDS.index("stage_entered_at")
    if connection.vendor != "sqlite":
        return lambda row: row

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        moment = values[position]
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment)
        values[position] = moment.replace(tzinfo=dt.UTC)
        return tuple(values)

    return convert


def journey_sources(limit: int = SOURCES_LISTED) -> list[str]:
    """The channels journeys came from, in order: a loose index scan, one probe
    of journey_source_idx per distinct source. (DISTINCT reads every journey's
    index entry: 22 ms at 100,000 journeys on PostgreSQL, which has no skip
    scan; see docs/benchmarks.md.)"""
    if limit < 1:
        return []
    table = connection.ops.quote_name(Journey._meta.db_table)
    source = connection.ops.quote_name(Journey._meta.get_field("source").column or "")
    sql = (
        f"WITH RECURSIVE found(source, n) AS ("
        f"SELECT MIN({source}), 1 FROM {table} "
        f"UNION ALL "
        f"SELECT (SELECT MIN({source}) FROM {table} WHERE {source} > found.source), n + 1 "
        f"FROM found WHERE found.source IS NOT NULL AND n < %s"
        f") SELECT source FROM found WHERE source IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def board(user: User | AnonymousUser, filters: BoardFilters, *, now: dt.datetime) -> Board:
    all_stages = stages()
    member = _sees_elsewhere(user, filters)
    elsewhere = seen_elsewhere(member, filters) if member is not None else None
    counts = stage_counts(user, filters, elsewhere)
    active = [stage for stage in all_stages if not stage.is_outcome]
    pages = first_pages(user, [stage.pk for stage in active], filters, now=now, elsewhere=elsewhere)
    columns = [BoardColumn(stage, counts.get(stage.pk, 0), *pages[stage.pk]) for stage in active]
    outcomes = [(stage, counts.get(stage.pk, 0)) for stage in all_stages if stage.is_outcome]
    return Board(columns=columns, outcomes=outcomes, sources=journey_sources())


# The account thread ---------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilters:
    kind: str | None = None
    stage: str | None = None

    @classmethod
    def from_params(cls, kind: str | None, stage: str | None) -> "TimelineFilters":
        return cls(
            kind=kind if kind in EventKind.values else None,
            stage=stage if stage and len(stage) <= 40 else None,
        )


@dataclass
class TimelinePage:
    events: list[JourneyEvent]
    older_than: int | None  # the id to pass as `before` for the next page


@dataclass
class TeamSeat:
    """One person on the journey's account team, with every stage they worked."""

    member: Member
    stages: list[Stage]
    owned: bool


def group_seats(seats: list[AccountTeamMember]) -> list[TeamSeat]:
    people: dict[int, TeamSeat] = {}
    for seat in seats:
        person = people.setdefault(seat.member_id, TeamSeat(seat.member, [], False))
        person.stages.append(seat.stage)
        person.owned = person.owned or seat.owned
    return list(people.values())


@dataclass
class Thread:
    account: Account
    journey: Journey
    earlier_journeys: list[Journey]
    account_team: list[TeamSeat]
    contacts: list[Contact]
    needs: list[Need]
    commitments: list[Commitment]
    deals: list[Deal]
    tickets: list[Ticket]
    timeline: TimelinePage
    stages: list[Stage] = field(default_factory=list)
    reference: Reference | None = None


def timeline_page(
    journey: Journey,
    filters: TimelineFilters,
    *,
    before: int | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
    journey_ids: Sequence[int] | None = None,
    stage_by_id: dict[int, Stage] | None = None,
) -> TimelinePage:
    """Newest first, paginated by event id (the order the log was written).
    With `journey_ids`, the events of all those journeys (the account's) on one
    timeline. With `stage_by_id`, the events' stages are taken from it."""
    ids = sorted({journey.pk, *(journey_ids or ())})
    if (
        len(ids) == 1
        and not (filters.kind or filters.stage or before)
        and limit == TIMELINE_PAGE_SIZE
    ):
        # The account page's first view (most accounts have one journey).
        page = _LATEST_EVENTS.objects(journey=ids[0])
        if not stage_by_id:
            _attach_stages(page, reference().stage_by_id)
    else:
        events = JourneyEvent.objects.filter(journey_id__in=ids).select_related(
            *(("actor",) if stage_by_id else ("actor", "stage"))
        )
        if filters.kind:
            events = events.filter(kind=filters.kind)
        if filters.stage:
            events = events.filter(stage__key=filters.stage)
        if before is not None:
            events = events.filter(id__lt=before)
        page = list(events.order_by("-id")[: limit + 1])
    if stage_by_id:
        _attach_stages(page, stage_by_id)
    older_than = page[limit - 1].pk if len(page) > limit else None
    return TimelinePage(events=page[:limit], older_than=older_than)


def _attach_stages(rows: Sequence[Any], stage_by_id: dict[int, Stage]) -> None:
    """Give each row its stage from the reference copy (one newer than the
    copy is left to load itself)."""
    for row in rows:
        stage = stage_by_id.get(row.stage_id)
        if stage is not None:
            row.stage = stage


def _of_account(journeys: QuerySet[Journey], account: int) -> QuerySet[Journey]:
    return (
        journeys.filter(account_id=account)
        .select_related("account", "stage", "team", "owner__user", "owner__team")
        .order_by("-opened_at", "-id")[:ACCOUNT_JOURNEYS]
    )


# Compiled once (prepared.py): for an admin, and for a member (their ids).
_ACCOUNT_JOURNEYS_ALL: Prepared[Journey] = Prepared(
    lambda account: _of_account(Journey.objects.all(), account), account=int
)
_ACCOUNT_JOURNEYS_SEEN: Prepared[Journey] = Prepared(
    lambda account, member, team: _of_account(
        Journey.objects.filter(member_sees(Member(pk=member, team_id=team))), account
    ),
    account=int,
    member=int,
    team=int,
)


def account_journeys(user: User | AnonymousUser, account_id: int) -> list[Journey]:
    """The account's journeys the user may see, latest first (at most
    ACCOUNT_JOURNEYS: its timeline covers them all, merged accounts' included)."""
    viewer = viewer_for(user)
    if viewer.sees_all:
        return _ACCOUNT_JOURNEYS_ALL.objects(account=account_id)
    if viewer.member is None:
        return []
    member = viewer.member
    return _ACCOUNT_JOURNEYS_SEEN.objects(account=account_id, member=member.pk, team=member.team_id)


def _current(journeys: list[Journey]) -> Journey:
    """The open journey (the latest opened), else the latest closed."""
    for journey in journeys:  # latest opened first
        if journey.closed_at is None:
            return journey
    return max(journeys, key=lambda j: (j.closed_at, j.opened_at, j.pk))


def journey_of_account(user: User | AnonymousUser, account_id: int) -> Journey:
    """The account's open journey, else its latest one, that the user may see:
    404 when there is none, which is also the account's access check."""
    journey = (
        visible_journeys(user)
        .filter(account_id=account_id)
        .select_related("account", "stage", "team", "owner__user", "owner__team")
        # Open first: after a merge, a closed journey may have opened after the open one.
        .order_by(F("closed_at").desc(nulls_first=True), "-opened_at", "-id")
        .first()
    )
    if journey is None:
        raise Http404("No such account.")
    return journey


def account_page_journeys(
    user: User | AnonymousUser, account_id: int
) -> tuple[Journey, list[Journey]]:
    """(the journey the account page shows, all the account's journeys the
    user sees) in one query; 404 when the user sees none."""
    journeys = account_journeys(user, account_id)
    if not journeys:
        raise Http404("No such account.")
    if len(journeys) == ACCOUNT_JOURNEYS and all(j.closed_at is not None for j in journeys):
        # An open journey may hide among older ones beyond the limit.
        return journey_of_account(user, account_id), journeys
    return _current(journeys), journeys


# The account page's reads, compiled once (prepared.py): building their SQL
# cost the ORM several times what running them costs the database.
_SEATS: Prepared[AccountTeamMember] = Prepared(
    lambda journey: (
        AccountTeamMember.objects.filter(journey_id=journey)
        .select_related("member__user", "member__team")
        .order_by("joined_at")
    ),
    journey=int,
)
_CONTACTS: Prepared[Contact] = Prepared(
    lambda account: Contact.objects.filter(account_id=account).order_by("-is_active", "name")[
        :CONTACTS_SHOWN
    ],
    account=int,
)
_NEEDS: Prepared[Need] = Prepared(
    lambda journey: Need.objects.filter(journey_id=journey).select_related(
        "category", "product", "captured_by", "captured_at_stage"
    ),
    journey=int,
)
_COMMITMENTS: Prepared[Commitment] = Prepared(
    lambda journey: Commitment.objects.filter(journey_id=journey).select_related(
        "owner", "made_by", "made_at_stage"
    ),
    journey=int,
)
_DEALS: Prepared[Deal] = Prepared(
    lambda journey: Deal.objects.filter(journey_id=journey).prefetch_related(
        Prefetch("line_items", queryset=DealLineItem.objects.select_related("product", "need"))
    ),
    journey=int,
)
_TICKETS: Prepared[Ticket] = Prepared(
    lambda journey: Ticket.objects.filter(journey_id=journey).select_related("category")[:50],
    journey=int,
)
_LATEST_EVENTS: Prepared[JourneyEvent] = Prepared(
    lambda journey: (
        JourneyEvent.objects.filter(journey_id=journey)
        .select_related("actor")
        .order_by("-id")[: TIMELINE_PAGE_SIZE + 1]
    ),
    journey=int,
)


def account_thread(
    user: User | AnonymousUser,
    journey: Journey,
    timeline_filters: TimelineFilters,
    journeys: list[Journey] | None = None,
) -> Thread:
    """`journeys`: the account's journeys the user sees, when the caller has them."""
    account = journey.account
    if journeys is None:
        journeys = account_journeys(user, account.pk)
    data = reference()
    earlier = [other for other in journeys if other.pk != journey.pk][:10]
    seats = _SEATS.objects(journey=journey.pk)
    _attach_stages(seats, data.stage_by_id)
    seats.sort(key=lambda seat: seat.stage.position)  # stable: joined_at within a stage
    return Thread(
        account=account,
        journey=journey,
        earlier_journeys=earlier,
        account_team=group_seats(seats),
        contacts=_CONTACTS.objects(account=account.pk),
        needs=_NEEDS.objects(journey=journey.pk),
        commitments=_COMMITMENTS.objects(journey=journey.pk),
        deals=_DEALS.objects(journey=journey.pk),
        tickets=_TICKETS.objects(journey=journey.pk),
        timeline=timeline_page(
            journey,
            timeline_filters,
            journey_ids=[other.pk for other in journeys],
            stage_by_id=data.stage_by_id,
        ),
        stages=list(data.stages),
        reference=data,
    )
