"""Reads for the journey board and the account thread. Each page runs a
fixed number of queries whatever the size of the database."""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from onethread.commitments.models import Commitment
from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal, DealLineItem
from onethread.journeys.access import viewer_for, visible_journeys
from onethread.journeys.models import AccountTeamMember, EventKind, Journey, JourneyEvent, Stage
from onethread.needs.models import Need
from onethread.support.models import Ticket
from onethread.team.models import Member

BOARD_PAGE_SIZE = 20
SOURCES_LISTED = 200
TIMELINE_PAGE_SIZE = 30


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
    cards: list[Journey]
    next_cursor: str | None


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


def _stage_counts(user: User | AnonymousUser, filters: BoardFilters) -> dict[int, int]:
    rows = _filtered(user, filters).order_by().values("stage_id").annotate(n=Count("id"))
    return {row["stage_id"]: row["n"] for row in rows}


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


def column_cards(
    user: User | AnonymousUser,
    stage: Stage,
    filters: BoardFilters,
    *,
    today: dt.date,
    after: str | None = None,
    limit: int = BOARD_PAGE_SIZE,
) -> tuple[list[Journey], str | None]:
    """One page of a stage's cards, longest in the stage first."""
    journeys = (
        _filtered(user, filters)
        .filter(stage=stage)
        .select_related("account", "owner__user")
        .annotate(open_needs=_open_needs(), overdue_commitments=_overdue_commitments(today))
        .order_by("stage_entered_at", "id")
    )
    if after:
        entered_at, journey_id = decode_cursor(after)
        journeys = journeys.filter(
            Q(stage_entered_at__gt=entered_at) | Q(stage_entered_at=entered_at, id__gt=journey_id)
        )
    cards: list[Journey] = list(journeys[: limit + 1])
    next_cursor = None
    if len(cards) > limit:
        cards = cards[:limit]
        next_cursor = encode_cursor(cards[-1].stage_entered_at, cards[-1].pk)
    return cards, next_cursor


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


def board(user: User | AnonymousUser, filters: BoardFilters, *, today: dt.date) -> Board:
    all_stages = stages()
    counts = _stage_counts(user, filters)
    columns = []
    for stage in all_stages:
        if stage.is_outcome:
            continue
        cards, next_cursor = column_cards(user, stage, filters, today=today)
        columns.append(BoardColumn(stage, counts.get(stage.pk, 0), cards, next_cursor))
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
) -> TimelinePage:
    """Newest first, paginated by event id (the order the log was written)."""
    events = JourneyEvent.objects.filter(journey=journey).select_related("actor", "stage")
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.stage:
        events = events.filter(stage__key=filters.stage)
    if before is not None:
        events = events.filter(id__lt=before)
    page = list(events.order_by("-id")[: limit + 1])
    older_than = page[limit - 1].pk if len(page) > limit else None
    return TimelinePage(events=page[:limit], older_than=older_than)


def journey_of_account(user: User | AnonymousUser, account: Account) -> Journey:
    """The account's open journey, else its latest one, that the user may see."""
    journey = (
        visible_journeys(user)
        .filter(account=account)
        .select_related("account", "stage", "team", "owner__user", "owner__team")
        .order_by("-opened_at", "-id")
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
    earlier = list(
        visible_journeys(user)
        .filter(account=account)
        .exclude(pk=journey.pk)
        .select_related("stage")
        .order_by("-opened_at")[:10]
    )
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
        contacts=list(Contact.objects.filter(account=account).order_by("-is_active", "name")[:50]),
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
        timeline=timeline_page(journey, timeline_filters),
        stages=stages(),
    )
