"""Does it work? For each training a member received (a shadowing, or an
assigned replay they marked read), their handoffs before and after it: the
average rating the next stage gave and the share returned, each with the
number of handoffs behind it. Pure functions over plain rows and an explicit
window; docs/training.md defines every figure. The measures themselves are
those of the handoff health page (onethread/handoffs/insights.py)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from onethread.handoffs.insights import (
    ACCEPTED,
    RETURNED,
    HandoffRow,
    average_rating,
)

WINDOW = dt.timedelta(days=90)
# Fewer answered handoffs than this on either side: no comparison is drawn.
MIN_HANDOFFS = 5


@dataclass(frozen=True)
class Training:
    member_id: int
    member: str
    kind: str  # "shadowing" or "replay"
    title: str
    started_at: dt.datetime  # handoffs sent before this are "before"
    ended_at: dt.datetime | None  # handoffs sent from this on are "after"; None: not over


@dataclass(frozen=True)
class Side:
    """One side of the comparison."""

    sent: int
    answered: int  # accepted or returned: behind the returned rate
    rated: int  # accepted with a rating: behind the average rating
    average_rating: float | None
    returned_rate: float | None


@dataclass(frozen=True)
class Comparison:
    training: Training
    before: Side
    after: Side | None  # None while the training is not over

    @property
    def too_few(self) -> bool:
        return self.after is None or min(self.before.answered, self.after.answered) < MIN_HANDOFFS

    @property
    def rating_change(self) -> float | None:
        if self.too_few or self.after is None:
            return None
        if self.before.average_rating is None or self.after.average_rating is None:
            return None
        return self.after.average_rating - self.before.average_rating

    @property
    def returned_change(self) -> float | None:
        if self.too_few or self.after is None:
            return None
        if self.before.returned_rate is None or self.after.returned_rate is None:
            return None
        return self.after.returned_rate - self.before.returned_rate


def side(rows: Sequence[HandoffRow]) -> Side:
    accepted = sum(1 for row in rows if row.status == ACCEPTED)
    returned = sum(1 for row in rows if row.status == RETURNED)
    answered = accepted + returned
    return Side(
        sent=len(rows),
        answered=answered,
        rated=sum(1 for row in rows if row.status == ACCEPTED and row.rating is not None),
        average_rating=average_rating(rows),
        returned_rate=returned / answered if answered else None,
    )


def compare(
    training: Training,
    handoffs: Iterable[HandoffRow],
    *,
    now: dt.datetime,
    window: dt.timedelta = WINDOW,
) -> Comparison:
    """The member's handoffs sent in the window before the training started,
    and in the window after it ended (up to now)."""
    rows = [row for row in handoffs if row.sent_at <= now]
    before = [
        row for row in rows if training.started_at - window <= row.sent_at < training.started_at
    ]
    if training.ended_at is None or training.ended_at > now:
        return Comparison(training, side(before), None)
    end = training.ended_at
    after = [row for row in rows if end <= row.sent_at < end + window]
    return Comparison(training, side(before), side(after))


def compare_all(
    trainings: Iterable[Training],
    handoffs_by_member: dict[int, list[HandoffRow]],
    *,
    now: dt.datetime,
    window: dt.timedelta = WINDOW,
) -> list[Comparison]:
    """One comparison per training, newest first."""
    ordered = sorted(trainings, key=lambda t: (t.started_at, t.member), reverse=True)
    return [
        compare(t, handoffs_by_member.get(t.member_id, []), now=now, window=window) for t in ordered
    ]
