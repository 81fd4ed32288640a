"""Does it work? Handoffs before and after a training, on plain rows."""

import datetime as dt

from onethread.handoffs.insights import HandoffRow
from onethread.training.effect import MIN_HANDOFFS, Training, compare, compare_all

T0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
NOW = T0 + 200 * DAY


def handoff(day: float, status: str, rating: int | None = None) -> HandoffRow:
    sent = T0 + day * DAY
    return HandoffRow(
        sent_at=sent,
        due_at=sent + DAY,
        status=status,
        responded_at=sent + DAY / 2 if status != "pending" else None,
        rating=rating,
    )


SHADOWING = Training(1, "Sam", "shadowing", "Shadowed Onboarding", T0, T0 + 14 * DAY)

BEFORE = [
    handoff(-100, "accepted", 5),  # outside the 90-day window: left out
    handoff(-60, "accepted", 2),
    handoff(-50, "accepted", 3),
    handoff(-40, "returned"),
    handoff(-30, "returned"),
    handoff(-20, "accepted", None),  # accepted, not rated
    handoff(-10, "pending"),  # not answered
]
DURING = [handoff(5, "returned")]  # during the shadowing: neither side
AFTER = [
    handoff(15, "accepted", 4),
    handoff(20, "accepted", 5),
    handoff(30, "accepted", 4),
    handoff(40, "accepted", 3),
    handoff(50, "returned"),
    handoff(150, "returned"),  # more than 90 days after the end: left out
]


def test_before_and_after_a_shadowing_with_the_handoffs_behind_each_figure() -> None:
    result = compare(SHADOWING, BEFORE + DURING + AFTER, now=NOW)
    before, after = result.before, result.after
    assert (before.sent, before.answered, before.rated) == (6, 5, 2)
    assert before.average_rating == 2.5  # (2 + 3) / 2
    assert before.returned_rate == 2 / 5
    assert after is not None
    assert (after.sent, after.answered, after.rated) == (5, 5, 4)
    assert after.average_rating == 4.0  # (4 + 5 + 4 + 3) / 4
    assert after.returned_rate == 1 / 5
    assert not result.too_few
    assert result.rating_change == 1.5
    assert result.returned_change == 1 / 5 - 2 / 5


def test_too_few_handoffs_to_compare_under_the_threshold() -> None:
    result = compare(SHADOWING, BEFORE + AFTER[: MIN_HANDOFFS - 1], now=NOW)
    assert result.after is not None
    assert result.after.answered == MIN_HANDOFFS - 1
    assert result.too_few
    assert result.rating_change is None
    assert result.returned_change is None


def test_a_training_not_over_has_no_after_side() -> None:
    running = compare(SHADOWING, BEFORE + AFTER, now=T0 + 3 * DAY)
    assert running.after is None
    assert running.too_few
    assert running.before.answered == 5


def test_a_replay_read_splits_at_the_moment_it_was_read() -> None:
    read_at = T0 + 12.5 * DAY
    replay = Training(1, "Sam", "replay", "Read “Globex”", read_at, read_at)
    result = compare(replay, [handoff(12, "returned"), handoff(13, "accepted", 5)], now=NOW)
    assert result.before.returned_rate == 1.0
    assert result.after is not None
    assert result.after.average_rating == 5.0


def test_handoffs_sent_after_now_are_ignored_and_newest_training_first() -> None:
    later = Training(2, "Maya", "replay", "Read “Initech”", T0 + 30 * DAY, T0 + 30 * DAY)
    results = compare_all([SHADOWING, later], {1: BEFORE + AFTER}, now=T0 + 35 * DAY)
    assert [r.training.member for r in results] == ["Maya", "Sam"]
    assert results[0].before.sent == 0  # Maya sent nothing
    sam_after = results[1].after
    assert sam_after is not None
    assert sam_after.sent == 3
