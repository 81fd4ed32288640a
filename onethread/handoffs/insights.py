"""Handoff health: what the receiving stage says about the handoffs a team (or a
member) sends, and what it receives from the stage before.

The measures are pure functions of plain rows and an explicit clock, tested
without a database; `read_handoff_rows` is the one place that reads them.
docs/handoffs.md defines every number."""

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from onethread.handoffs.models import Handoff

PERIODS = (3, 6, 12)
DEFAULT_PERIOD = 6
TOP_ITEMS = 5

PENDING = Handoff.Status.PENDING.value
ACCEPTED = Handoff.Status.ACCEPTED.value
RETURNED = Handoff.Status.RETURNED.value


@dataclass(frozen=True)
class HandoffRow:
    """What the measures need to know about one handoff."""

    sent_at: dt.datetime
    due_at: dt.datetime
    status: str
    responded_at: dt.datetime | None = None
    rating: int | None = None
    missing: tuple[str, ...] = ()
    return_reason: str = ""


@dataclass(frozen=True)
class Period:
    """Whole calendar months, the current one included, up to `end` (now)."""

    months: tuple[dt.date, ...]  # the first day of each month, oldest first
    start: dt.datetime
    end: dt.datetime

    @property
    def length(self) -> int:
        return len(self.months)


@dataclass(frozen=True)
class Health:
    sent: int
    accepted: int
    returned: int
    waiting: int
    overdue: int
    acceptance_rate: float | None
    average_rating: float | None
    median_time_to_accept: dt.timedelta | None
    top_missing: tuple[tuple[str, int], ...] = ()
    return_reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class MonthHealth:
    month: dt.date
    health: Health


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def period_ending(now: dt.datetime, months: int, tz: dt.tzinfo) -> Period:
    """The last `months` calendar months in the time zone `tz`, this one included."""
    if months not in PERIODS:
        months = DEFAULT_PERIOD
    local = now.astimezone(tz)
    first = _add_months(dt.date(local.year, local.month, 1), 1 - months)
    start = dt.datetime(first.year, first.month, 1, tzinfo=tz)
    return Period(
        months=tuple(_add_months(first, n) for n in range(months)),
        start=start,
        end=now,
    )


def was_overdue(row: HandoffRow, now: dt.datetime) -> bool:
    """Answered after its deadline, or still waiting past it."""
    if row.responded_at is not None:
        return row.responded_at > row.due_at
    return row.status == PENDING and now > row.due_at


def acceptance_rate(accepted: int, returned: int) -> float | None:
    """accepted / (accepted + returned); None until something was answered."""
    answered = accepted + returned
    return accepted / answered if answered else None


def median_time_to_accept(rows: Iterable[HandoffRow]) -> dt.timedelta | None:
    waits = [
        (row.responded_at - row.sent_at).total_seconds()
        for row in rows
        if row.status == ACCEPTED and row.responded_at is not None
    ]
    return dt.timedelta(seconds=statistics.median(waits)) if waits else None


def average_rating(rows: Iterable[HandoffRow]) -> float | None:
    ratings = [row.rating for row in rows if row.status == ACCEPTED and row.rating is not None]
    return statistics.fmean(ratings) if ratings else None


def _normalised(item: str) -> str:
    return " ".join(item.split()).casefold()


def top_missing(rows: Iterable[HandoffRow], limit: int = TOP_ITEMS) -> list[tuple[str, int]]:
    """What receivers most often said was missing: the number of handoffs
    naming each item (case and spacing ignored), shown in its most used spelling."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for row in rows:
        named = {_normalised(item): " ".join(item.split()) for item in row.missing if item.strip()}
        for key, spelling in named.items():
            counts[key] += 1
            spellings.setdefault(key, Counter())[spelling] += 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    return [(spellings[key].most_common(1)[0][0], count) for key, count in ranked]


def return_reasons(rows: Iterable[HandoffRow]) -> list[tuple[str, int]]:
    counts = Counter(row.return_reason for row in rows if row.status == RETURNED)
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def health(rows: Sequence[HandoffRow], *, now: dt.datetime, details: bool = True) -> Health:
    """Every measure over the rows; `details` adds the missing items and return reasons."""
    statuses = Counter(row.status for row in rows)
    accepted, returned = statuses[ACCEPTED], statuses[RETURNED]
    return Health(
        sent=len(rows),
        accepted=accepted,
        returned=returned,
        waiting=statuses[PENDING],
        overdue=sum(1 for row in rows if was_overdue(row, now)),
        acceptance_rate=acceptance_rate(accepted, returned),
        average_rating=average_rating(rows),
        median_time_to_accept=median_time_to_accept(rows),
        top_missing=tuple(top_missing(rows)) if details else (),
        return_reasons=tuple(return_reasons(rows)) if details else (),
    )


def by_month(
    rows: Iterable[HandoffRow], period: Period, *, now: dt.datetime, tz: dt.tzinfo
) -> list[MonthHealth]:
    """The measures per calendar month of sending, every month of the period shown."""
    buckets: dict[dt.date, list[HandoffRow]] = {month: [] for month in period.months}
    for row in rows:
        local = row.sent_at.astimezone(tz)
        month = dt.date(local.year, local.month, 1)
        if month in buckets:
            buckets[month].append(row)
    return [
        MonthHealth(month, health(rows, now=now, details=False)) for month, rows in buckets.items()
    ]


@dataclass(frozen=True)
class Report:
    """One side of the loop (handoffs sent, or received) over a period."""

    overall: Health
    months: list[MonthHealth]


def report(
    rows: Sequence[HandoffRow], period: Period, *, now: dt.datetime, tz: dt.tzinfo
) -> Report:
    inside = [row for row in rows if period.start <= row.sent_at <= period.end]
    return Report(overall=health(inside, now=now), months=by_month(inside, period, now=now, tz=tz))


def read_handoff_rows(handoffs: QuerySet[Handoff], period: Period) -> list[HandoffRow]:
    """The rows of the given handoffs sent within the period: one query."""
    values = (
        handoffs.filter(sent_at__gte=period.start, sent_at__lte=period.end)
        .order_by()
        .values_list(
            "sent_at",
            "due_at",
            "status",
            "responded_at",
            "rating",
            "missing_feedback",
            "return_reason__label",
        )
    )
    return [
        HandoffRow(
            sent_at=sent_at,
            due_at=due_at,
            status=status,
            responded_at=responded_at,
            rating=rating,
            missing=tuple(str(item) for item in (missing or []) if isinstance(item, str)),
            return_reason=reason or "",
        )
        for sent_at, due_at, status, responded_at, rating, missing, reason in values
    ]
