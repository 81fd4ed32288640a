"""Journey replays: a journey told stage by stage from its event log, with the
moments where context was lost.

`build_replay` is a pure function of plain event rows and an explicit `now`,
tested without a database; `onethread.training.queries.replay_of` is the one
place that reads the rows. docs/training.md defines every moment."""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A gap this long between two consecutive events of an open journey is a
# long silence: the customer heard nothing, or nobody wrote down what they heard.
SILENCE = dt.timedelta(days=21)

RETURNED_HANDOFF = "returned_handoff"
OVERRIDDEN_CONTRACT = "overridden_contract"
REPEATED_DISCOVERY = "repeated_discovery"
BROKEN_PROMISE = "broken_promise"
LONG_SILENCE = "long_silence"

MOMENT_LABELS = {
    RETURNED_HANDOFF: "Handoff returned",
    OVERRIDDEN_CONTRACT: "Contract overridden",
    REPEATED_DISCOVERY: "Repeated discovery",
    BROKEN_PROMISE: "Promise broken",
    LONG_SILENCE: "Long silence",
}


@dataclass(frozen=True)
class EventRow:
    """What a replay needs to know about one event of the log."""

    id: int
    kind: str
    stage_key: str
    occurred_at: dt.datetime | None
    recorded_at: dt.datetime
    actor: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def when(self) -> dt.datetime:
        return self.occurred_at or self.recorded_at


@dataclass(frozen=True)
class StageInfo:
    key: str
    name: str
    is_outcome: bool


@dataclass(frozen=True)
class BriefFacts:
    """What a handoff carried, from its frozen brief."""

    needs: int
    commitments: int
    completeness: float
    note: str = ""
    open_questions: str = ""


@dataclass
class Need:
    need_id: int | None
    statement: str
    captured_by: str | None
    event_id: int
    status: str = "open"


@dataclass
class Promise:
    commitment_id: int | None
    promise: str
    made_by: str | None
    owner: str | None
    due_on: str | None
    event_id: int
    status: str = "open"


@dataclass
class HandedOver:
    handoff_id: int | None
    sender: str | None
    receiver: str | None
    to_stage: str
    event_id: int
    brief: BriefFacts | None
    missing: tuple[str, ...] = ()
    override_reason: str = ""
    status: str = "pending"
    answer_event_id: int | None = None
    rating: int | None = None
    return_reason: str = ""


@dataclass(frozen=True)
class Moment:
    """A point where context was lost, linked to the event that shows it."""

    kind: str
    event_id: int
    at: dt.datetime
    stage_key: str
    text: str
    event_kind: str = ""

    @property
    def label(self) -> str:
        return MOMENT_LABELS[self.kind]


@dataclass
class Chapter:
    """One stay of the journey in one stage."""

    stage: StageInfo
    entered_at: dt.datetime
    event_id: int
    left_at: dt.datetime | None = None
    people: list[str] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    handoffs: list[HandedOver] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    events: int = 0
    next: str = ""

    @property
    def days(self) -> int | None:
        if self.left_at is None:
            return None
        return max((self.left_at - self.entered_at).days, 0)


@dataclass(frozen=True)
class Outcome:
    stage: StageInfo
    at: dt.datetime
    reason: str
    event_id: int


@dataclass
class Replay:
    chapters: list[Chapter]
    outcome: Outcome | None
    moments: list[Moment]
    people: list[str]
    needs: list[Need]
    promises: list[Promise]
    handoffs: list[HandedOver]
    opened_at: dt.datetime | None
    now: dt.datetime
    # Set by the reader when the log was longer than it reads.
    truncated: bool = False

    def moments_of(self, kind: str) -> list[Moment]:
        return [moment for moment in self.moments if moment.kind == kind]


def _add_person(people: list[str], name: str | None) -> None:
    if name and name not in people:
        people.append(name)


def _new_status(payload: Mapping[str, Any]) -> str | None:
    change = (payload.get("changes") or {}).get("status")
    if isinstance(change, list | tuple) and len(change) == 2:
        return str(change[1])
    return None


class _Builder:
    def __init__(
        self,
        stages: Mapping[str, StageInfo],
        briefs: Mapping[int, BriefFacts],
        now: dt.datetime,
    ) -> None:
        self.stages = stages
        self.briefs = briefs
        self.now = now
        self.chapters: list[Chapter] = []
        self.outcome: Outcome | None = None
        self.moments: list[Moment] = []
        self.people: list[str] = []
        self.needs: dict[int, Need] = {}
        self.promises: dict[int, Promise] = {}
        self.handoffs: dict[int, HandedOver] = {}
        self.chapter_of: dict[int, Chapter] = {}

    def stage(self, key: str) -> StageInfo:
        return self.stages.get(key) or StageInfo(key=key, name=key.title(), is_outcome=False)

    def chapter_for(self, event: EventRow) -> Chapter:
        if not self.chapters:
            self.chapters.append(Chapter(self.stage(event.stage_key), event.when, event.id))
        return self.chapters[-1]

    def moment(self, kind: str, event: EventRow, text: str) -> None:
        moment = Moment(kind, event.id, event.when, event.stage_key, text, event.kind)
        self.moments.append(moment)
        (self.chapter_of.get(event.id) or self.chapter_for(event)).moments.append(moment)

    def enter(self, event: EventRow) -> None:
        target = self.stage(str(event.payload.get("to") or event.stage_key))
        if self.chapters:
            previous = self.chapters[-1]
            if previous.stage.key == target.key and previous.left_at is None:
                return  # the stage the journey opened in
            previous.left_at = event.when
            previous.next = (
                f"Closed as {target.name.lower()}"
                if target.is_outcome
                else f"Moved to {target.name}"
            )
        if target.is_outcome:
            reason = str(event.payload.get("reason") or "")
            self.outcome = Outcome(target, event.when, reason, event.id)
            return
        self.chapters.append(Chapter(target, event.when, event.id))

    def take(self, event: EventRow) -> None:
        kind, payload = event.kind, event.payload
        if kind == "stage_entered":
            self.enter(event)
        chapter = self.chapter_for(event)
        self.chapter_of[event.id] = chapter
        chapter.events += 1
        _add_person(chapter.people, event.actor)
        _add_person(self.people, event.actor)
        handler = getattr(self, f"on_{kind}", None)
        if handler is not None:
            handler(event, chapter, payload)

    def on_owner_changed(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        _add_person(chapter.people, payload.get("to"))
        _add_person(self.people, payload.get("to"))

    def on_need_captured(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        need = Need(
            payload.get("need_id"), str(payload.get("statement", "")), event.actor, event.id
        )
        chapter.needs.append(need)
        if need.need_id is not None:
            self.needs[need.need_id] = need

    def on_need_changed(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        need = self.needs.get(payload.get("need_id", -1))
        status = _new_status(payload)
        if need is not None and status:
            need.status = status

    def on_repeated_discovery(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        known = self.stage(str(payload.get("known_since_stage", ""))).name
        self.moment(
            REPEATED_DISCOVERY,
            event,
            f"The customer was asked again: “{payload.get('statement', '')}” "
            f"— already known since {known} as “{payload.get('repeats_statement', '')}”.",
        )

    def on_commitment_made(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        promise = Promise(
            payload.get("commitment_id"),
            str(payload.get("promise", "")),
            event.actor,
            payload.get("owner"),
            payload.get("due_on"),
            event.id,
        )
        chapter.promises.append(promise)
        if promise.commitment_id is not None:
            self.promises[promise.commitment_id] = promise

    def on_commitment_changed(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        promise = self.promises.get(payload.get("commitment_id", -1))
        status = _new_status(payload)
        if promise is not None and status:
            promise.status = status
        if status == "broken":
            made = f" (made by {promise.made_by})" if promise and promise.made_by else ""
            self.moment(
                BROKEN_PROMISE, event, f"Promise broken: “{payload.get('promise', '')}”{made}."
            )

    def on_handoff_sent(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        handoff_id = payload.get("handoff_id")
        handed = HandedOver(
            handoff_id,
            payload.get("from") or event.actor,
            payload.get("to"),
            self.stage(str(payload.get("to_stage", ""))).name,
            event.id,
            self.briefs.get(handoff_id) if handoff_id is not None else None,
            tuple(payload.get("missing") or ()),
            str(payload.get("override_reason") or ""),
        )
        chapter.handoffs.append(handed)
        _add_person(self.people, handed.receiver)
        if handoff_id is not None:
            self.handoffs[handoff_id] = handed
        if handed.override_reason and handed.missing:
            self.moment(
                OVERRIDDEN_CONTRACT,
                event,
                f"Sent to {handed.to_stage} without: {'; '.join(handed.missing)} "
                f"— “{handed.override_reason}”.",
            )

    def on_handoff_accepted(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        handed = self.handoffs.get(payload.get("handoff_id", -1))
        if handed is not None:
            handed.status, handed.answer_event_id = "accepted", event.id
            handed.rating = payload.get("rating")

    def on_handoff_returned(self, event: EventRow, chapter: Chapter, payload: Mapping) -> None:
        handed = self.handoffs.get(payload.get("handoff_id", -1))
        reason = str(payload.get("reason_label") or payload.get("reason") or "")
        if handed is not None:
            handed.status, handed.answer_event_id = "returned", event.id
            handed.return_reason = reason
        comment = str(payload.get("comment") or "")
        by = f"{event.actor} returned" if event.actor else "Returned"
        self.moment(
            RETURNED_HANDOFF,
            event,
            f"{by} the handoff: {reason}" + (f" — “{comment}”" if comment else "") + ".",
        )

    def silences(self, events: list[EventRow]) -> None:
        timed = [event for event in events if event.occurred_at is not None]
        closed_at = self.outcome.at if self.outcome else None
        for before, after in itertools.pairwise(timed):
            gap = after.when - before.when
            if gap >= SILENCE and (closed_at is None or before.when < closed_at):
                self.moment(
                    LONG_SILENCE,
                    after,
                    f"{gap.days} days without a word on the journey before this.",
                )
        if timed and self.outcome is None and self.now - timed[-1].when >= SILENCE:
            last = timed[-1]
            self.moment(
                LONG_SILENCE,
                last,
                f"Nothing on the journey for {(self.now - last.when).days} days since this.",
            )


def build_replay(
    events: Iterable[EventRow],
    stages: Mapping[str, StageInfo],
    *,
    now: dt.datetime,
    briefs: Mapping[int, BriefFacts] | None = None,
) -> Replay:
    """The replay of one journey from its events (any order: they are told by
    the time they happened, then as they were logged)."""
    ordered = sorted(events, key=lambda event: (event.when, event.id))
    builder = _Builder(stages, briefs or {}, now)
    for event in ordered:
        builder.take(event)
    builder.silences(ordered)
    builder.moments.sort(key=lambda moment: (moment.at, moment.event_id))
    for chapter in builder.chapters:
        chapter.moments.sort(key=lambda moment: (moment.at, moment.event_id))
    if builder.chapters and builder.outcome is None:
        builder.chapters[-1].next = "Still in this stage"
    return Replay(
        chapters=builder.chapters,
        outcome=builder.outcome,
        moments=builder.moments,
        people=builder.people,
        needs=[need for chapter in builder.chapters for need in chapter.needs],
        promises=[promise for chapter in builder.chapters for promise in chapter.promises],
        handoffs=[handed for chapter in builder.chapters for handed in chapter.handoffs],
        opened_at=ordered[0].when if ordered else None,
        now=now,
    )
