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
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.models import Commitment
from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal, DealLineItem
from onethread.handoffs.models import Handoff
from onethread.journeys.access import viewer_for, visible_journeys
from onethread.journeys.models import (
    AccountTeamMember,
    EventKind,
    Journey,
    JourneyEvent,
    Stage,
    StageCount,
)
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
    return list(Stage.objects.order_by("position", "id"))


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


def stage_counts(user: User | AnonymousUser, filters: BoardFilters) -> dict[int, int]:
    """Journeys per stage as the board filters them. Team-wide numbers come
    from the maintained StageCount cells; only a member's own journeys and
    those they see from other teams are counted row by row."""
    viewer = viewer_for(user)
    member = viewer.member
    if filters.scope == "mine" or (member is None and not viewer.sees_all):
        return _by_stage(
            _filtered(user, filters).order_by().values("stage_id").annotate(n=Count("id")), "n"
        )
    cells = StageCount.objects.order_by()
    if filters.source is not None:
        cells = cells.filter(source=filters.source)
    if filters.scope == "team" or not viewer.sees_all:
        assert member is not None
        cells = cells.filter(team_id=member.team_id)
    counts = _by_stage(cells.values("stage_id").annotate(n=Sum("count")), "n")
    if filters.scope == "all" and not viewer.sees_all:
        assert member is not None
        seats = AccountTeamMember.objects.filter(member=member).values("journey_id")
        handed = Handoff.objects.filter(to_member=member).values("journey_id")
        elsewhere = Journey.objects.exclude(team_id=member.team_id).filter(
            Q(pk__in=seats) | Q(pk__in=handed)
        )
        if filters.source is not None:
            elsewhere = elsewhere.filter(source=filters.source)
        for stage_id, n in _by_stage(
            elsewhere.order_by().values("stage_id").annotate(n=Count("id")), "n"
        ).items():
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
    return (
        _filtered(user, filters)
        .filter(stage_id=stage_id)
        .annotate(
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
) -> dict[int, tuple[list[Card], str | None]]:
    """The first page of every column in one statement: the column query is
    built once (the ORM's work, which costs more than running it) and repeated
    per stage with UNION ALL."""
    if not stage_ids:
        return {}
    query = _cards_query(user, _STAGE_SENTINEL, filters, timezone.localdate(now))[: limit + 1]
    sql, params = query.query.sql_with_params()
    slot = list(params).index(_STAGE_SENTINEL)
    quote = connection.ops.quote_name
    union = " UNION ALL ".join(
        f"SELECT {n} AS {quote('column_no')}, c{n}.* FROM ({sql}) AS c{n}"
        for n in range(len(stage_ids))
    )
    arguments: list[Any] = []
    for stage_id in stage_ids:
        arguments += [stage_id if i == slot else value for i, value in enumerate(params)]
    converters = _row_converters()
    rows: dict[int, list[tuple[Any, ...]]] = {n: [] for n in range(len(stage_ids))}
    with connection.cursor() as cursor:
        cursor.execute(union, arguments)
        for column_no, *values in cursor.fetchall():
            rows[column_no].append(converters(tuple(values)))
    return {stage_id: _page(rows[n], now, limit) for n, stage_id in enumerate(stage_ids)}


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
    counts = stage_counts(user, filters)
    active = [stage for stage in all_stages if not stage.is_outcome]
    pages = first_pages(user, [stage.pk for stage in active], filters, now=now)
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


def timeline_page(
    journey: Journey,
    filters: TimelineFilters,
    *,
    before: int | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
    journey_ids: Sequence[int] | None = None,
) -> TimelinePage:
    """Newest first, paginated by event id (the order the log was written).
    With `journey_ids`, the events of all those journeys (the account's) on one timeline."""
    ids = sorted({journey.pk, *(journey_ids or ())})
    events = JourneyEvent.objects.filter(journey_id__in=ids).select_related("actor", "stage")
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.stage:
        events = events.filter(stage__key=filters.stage)
    if before is not None:
        events = events.filter(id__lt=before)
    page = list(events.order_by("-id")[: limit + 1])
    older_than = page[limit - 1].pk if len(page) > limit else None
    return TimelinePage(events=page[:limit], older_than=older_than)


def account_journeys(user: User | AnonymousUser, account_id: int) -> list[Journey]:
    """The account's journeys the user may see, latest first (at most
    ACCOUNT_JOURNEYS: its timeline covers them all, merged accounts' included)."""
    return list(
        visible_journeys(user)
        .filter(account_id=account_id)
        .select_related("stage")
        .order_by("-opened_at", "-id")[:ACCOUNT_JOURNEYS]
    )


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


def account_thread(
    user: User | AnonymousUser,
    journey: Journey,
    timeline_filters: TimelineFilters,
) -> Thread:
    account = journey.account
    journeys = account_journeys(user, account.pk)
    earlier = [other for other in journeys if other.pk != journey.pk][:10]
    return Thread(
        account=account,
        journey=journey,
        earlier_journeys=earlier,
        account_team=group_seats(
            list(
                AccountTeamMember.objects.filter(journey=journey)
                .select_related("member__user", "member__team", "stage")
                .order_by("stage__position", "joined_at")
            )
        ),
        contacts=list(
            Contact.objects.filter(account=account).order_by("-is_active", "name")[:CONTACTS_SHOWN]
        ),
        needs=list(
            Need.objects.filter(journey=journey).select_related(
                "category", "product", "captured_by", "captured_at_stage"
            )
        ),
        commitments=list(
            Commitment.objects.filter(journey=journey).select_related(
                "owner", "made_by", "made_at_stage"
            )
        ),
        deals=list(
            Deal.objects.filter(journey=journey).prefetch_related(
                Prefetch(
                    "line_items", queryset=DealLineItem.objects.select_related("product", "need")
                )
            )
        ),
        tickets=list(Ticket.objects.filter(journey=journey).select_related("category")[:50]),
        timeline=timeline_page(
            journey, timeline_filters, journey_ids=[other.pk for other in journeys]
        ),
        stages=stages(),
    )
