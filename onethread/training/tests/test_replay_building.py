"""Building a replay from explicit event rows: no database."""

import datetime as dt
from typing import Any

from onethread.training.replays import (
    BROKEN_PROMISE,
    LONG_SILENCE,
    OVERRIDDEN_CONTRACT,
    REPEATED_DISCOVERY,
    RETURNED_HANDOFF,
    SILENCE,
    BriefFacts,
    EventRow,
    StageInfo,
    build_replay,
)

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
STAGES = {
    key: StageInfo(key, key.title(), key in {"lost", "churned"})
    for key in ("lead", "qualification", "closing", "onboarding", "churned")
}


class Log:
    """Event rows written in order, one day apart unless told otherwise."""

    def __init__(self) -> None:
        self.rows: list[EventRow] = []
        self.at = START

    def add(
        self, kind: str, stage: str, actor: str | None, after: dt.timedelta = DAY, **payload: Any
    ) -> EventRow:
        self.at += after
        row = EventRow(len(self.rows) + 1, kind, stage, self.at, self.at, actor, payload)
        self.rows.append(row)
        return row


def churned_journey() -> tuple[Log, dict[str, EventRow]]:
    log = Log()
    marks: dict[str, EventRow] = {}
    log.add("journey_opened", "lead", "Lena", account="Globex")
    log.add("stage_entered", "lead", "Lena", to="lead")
    log.add("need_captured", "lead", "Lena", need_id=1, statement="Ship to 12 warehouses")
    log.add("stage_entered", "qualification", "Lena", to="qualification")
    log.add(
        "handoff_sent",
        "qualification",
        "Lena",
        handoff_id=7,
        to="Alex",
        to_stage="closing",
        missing=["Budget owner"],
        override_reason="They want a quote today",
    )
    marks["returned"] = log.add(
        "handoff_returned",
        "qualification",
        "Alex",
        handoff_id=7,
        reason="missing_information",
        reason_label="Missing information",
        comment="Who signs?",
    )
    log.add("handoff_sent", "qualification", "Lena", handoff_id=8, to="Alex", to_stage="closing")
    log.add("handoff_accepted", "qualification", "Alex", handoff_id=8, rating=4)
    log.add("stage_entered", "closing", "Alex", to="closing")
    log.add(
        "commitment_made",
        "closing",
        "Alex",
        commitment_id=3,
        promise="Live in two weeks",
        owner="Omar",
        due_on="2026-02-01",
    )
    log.add("owner_changed", "closing", "Alex", to="Omar", to_id=5)
    log.add("stage_entered", "onboarding", "Omar", to="onboarding")
    marks["repeated"] = log.add(
        "repeated_discovery",
        "onboarding",
        "Omar",
        need_id=2,
        statement="Deliver to 12 warehouses",
        repeats_need_id=1,
        repeats_statement="Ship to 12 warehouses",
        known_since_stage="lead",
    )
    marks["broken"] = log.add(
        "commitment_changed",
        "onboarding",
        "Omar",
        commitment_id=3,
        promise="Live in two weeks",
        changes={"status": ["open", "broken"]},
    )
    marks["silence"] = log.add("note_added", "onboarding", "Omar", after=30 * DAY, text="Chased")
    log.add("stage_entered", "churned", "Omar", to="churned", reason="Never went live")
    marks["overridden"] = log.rows[4]
    return log, marks


def test_a_replay_tells_stages_people_needs_promises_and_every_context_loss_moment() -> None:
    log, marks = churned_journey()
    brief = BriefFacts(needs=1, commitments=0, completeness=0.5, note="Hot lead")

    replay = build_replay(log.rows, STAGES, now=log.at + DAY, briefs={7: brief})

    assert [c.stage.key for c in replay.chapters] == [
        "lead",
        "qualification",
        "closing",
        "onboarding",
    ]
    assert replay.people == ["Lena", "Alex", "Omar"]
    assert [c.people for c in replay.chapters] == [
        ["Lena"],
        ["Lena", "Alex"],
        ["Alex", "Omar"],
        ["Omar"],
    ]
    assert [(n.statement, n.captured_by) for n in replay.needs] == [
        ("Ship to 12 warehouses", "Lena")
    ]
    assert [(p.promise, p.owner, p.status) for p in replay.promises] == [
        ("Live in two weeks", "Omar", "broken")
    ]
    first, second = replay.handoffs
    assert (first.status, first.brief, first.return_reason) == (
        "returned",
        brief,
        "Missing information",
    )
    assert (second.status, second.rating) == ("accepted", 4)
    assert [c.next for c in replay.chapters] == [
        "Moved to Qualification",
        "Moved to Closing",
        "Moved to Onboarding",
        "Closed as churned",
    ]
    assert replay.outcome is not None
    assert (replay.outcome.stage.key, replay.outcome.reason) == ("churned", "Never went live")
    assert [(m.kind, m.event_id) for m in replay.moments] == [
        (OVERRIDDEN_CONTRACT, marks["overridden"].id),
        (RETURNED_HANDOFF, marks["returned"].id),
        (REPEATED_DISCOVERY, marks["repeated"].id),
        (BROKEN_PROMISE, marks["broken"].id),
        (LONG_SILENCE, marks["silence"].id),
    ]
    assert [m.kind for m in replay.chapters[1].moments] == [OVERRIDDEN_CONTRACT, RETURNED_HANDOFF]
    assert "Who signs?" in replay.moments[1].text


def test_a_journey_told_without_loss_shows_no_moments() -> None:
    log = Log()
    log.add("journey_opened", "lead", "Lena")
    log.add("stage_entered", "lead", "Lena", to="lead")
    log.add("need_captured", "lead", "Lena", need_id=1, statement="Fewer returns")
    log.add("handoff_sent", "lead", "Lena", handoff_id=1, to="Alex", to_stage="qualification")
    log.add("handoff_accepted", "lead", "Alex", handoff_id=1, rating=5)
    log.add("stage_entered", "qualification", "Alex", to="qualification")

    replay = build_replay(log.rows, STAGES, now=log.at + DAY)

    assert replay.moments == []
    assert all(chapter.moments == [] for chapter in replay.chapters)
    assert replay.outcome is None
    assert replay.chapters[-1].next == "Still in this stage"


def test_silence_is_counted_up_to_now_on_an_open_journey_but_not_after_closing() -> None:
    log = Log()
    log.add("stage_entered", "lead", "Lena", to="lead")
    last = log.add("note_added", "lead", "Lena", after=SILENCE - DAY)
    quiet_until = log.at + SILENCE

    open_replay = build_replay(log.rows, STAGES, now=quiet_until)
    assert [(m.kind, m.event_id) for m in open_replay.moments] == [(LONG_SILENCE, last.id)]
    assert build_replay(log.rows, STAGES, now=quiet_until - DAY).moments == []

    log.add("stage_entered", "churned", "Lena", to="churned", reason="Gone")
    assert build_replay(log.rows, STAGES, now=quiet_until + 90 * DAY).moments == []


def test_events_are_told_in_the_order_they_happened() -> None:
    log, _ = churned_journey()
    shuffled = list(reversed(log.rows))
    assert build_replay(shuffled, STAGES, now=log.at).moments == (
        build_replay(log.rows, STAGES, now=log.at).moments
    )


def test_an_empty_log_gives_an_empty_replay() -> None:
    replay = build_replay([], STAGES, now=START)
    assert (replay.chapters, replay.moments, replay.outcome, replay.opened_at) == (
        [],
        [],
        None,
        None,
    )
