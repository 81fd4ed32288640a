"""Reads for training: the one place that turns a journey's event log into
replay rows, and the lists the library and shadowing pages show."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from onethread.handoffs.insights import HandoffRow
from onethread.handoffs.models import Handoff
from onethread.insights import columnar
from onethread.insights.frames import Frames, Period
from onethread.journeys.access import visible_journeys
from onethread.journeys.models import Journey, JourneyEvent, Stage
from onethread.team.models import Member
from onethread.training import goals
from onethread.training.effect import Comparison, Training, compare_all
from onethread.training.models import (
    Goal,
    Playbook,
    PlaybookCheck,
    PlaybookItem,
    ReplayAssignment,
    SavedReplay,
    Shadowing,
)
from onethread.training.replays import BriefFacts, EventRow, Replay, StageInfo, build_replay

# A replay tells a journey, not a data set: a log longer than this is cut to
# its first events, and the replay says so.
MAX_EVENTS = 3000
CANDIDATES = 25
LONG_RUNNING = dt.timedelta(days=90)


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


def stage_infos() -> dict[str, StageInfo]:
    return {
        stage.key: StageInfo(stage.key, stage.name, stage.is_outcome)
        for stage in Stage.objects.all()
    }


def event_rows(journey: Journey) -> list[EventRow]:
    events = (
        JourneyEvent.objects.filter(journey=journey)
        .select_related("stage", "actor")
        .order_by("id")[: MAX_EVENTS + 1]
    )
    return [
        EventRow(
            id=event.pk,
            kind=event.kind,
            stage_key=event.stage.key,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=_name(event.actor),
            payload=event.payload if isinstance(event.payload, dict) else {},
        )
        for event in events
    ]


def brief_facts(journey: Journey) -> dict[int, BriefFacts]:
    rows = Handoff.objects.filter(journey=journey).values_list(
        "pk", "brief", "completeness", "note", "open_questions"
    )
    return {
        pk: BriefFacts(
            needs=len(brief.get("needs") or ()),
            commitments=len(brief.get("commitments") or ()),
            completeness=completeness,
            note=note,
            open_questions=questions,
        )
        for pk, brief, completeness, note, questions in rows
    }


def replay_of(journey: Journey, *, now: dt.datetime) -> Replay:
    rows = event_rows(journey)
    replay = build_replay(rows[:MAX_EVENTS], stage_infos(), now=now, briefs=brief_facts(journey))
    replay.truncated = len(rows) > MAX_EVENTS
    return replay


def replay_candidates(user: User | AnonymousUser, now: dt.datetime) -> QuerySet[Journey]:
    """Journeys worth replaying: closed ones, and those open for a long time."""
    return (
        visible_journeys(user)
        .filter(Q(closed_at__isnull=False) | Q(opened_at__lte=now - LONG_RUNNING))
        .select_related("account", "stage")
        .order_by("-closed_at", "opened_at", "-id")[:CANDIDATES]
    )


def library(user: User | AnonymousUser, replays: QuerySet[SavedReplay], tag: str = "") -> list:
    found = replays.select_related("journey__account", "journey__stage").annotate(
        assigned=Count("assignments"),
        read=Count("assignments", filter=Q(assignments__read_at__isnull=False)),
    )
    if tag:
        return [replay for replay in found if tag in (replay.tags or [])]
    return list(found[:200])


def assignments_of(member: Member | None) -> QuerySet[ReplayAssignment]:
    return ReplayAssignment.objects.filter(member=member).select_related(
        "replay__journey__account", "assigned_by__user"
    )


def exposure(shadowings: QuerySet[Shadowing]) -> list[dict[str, Any]]:
    """Who has been exposed to which stages: per member, the stages shadowed."""
    people: dict[int, dict[str, Any]] = {}
    for shadowing in shadowings.select_related("member__user", "stage").order_by(
        "member__user__first_name", "stage__position"
    ):
        entry = people.setdefault(shadowing.member_id, {"member": shadowing.member, "stages": {}})
        stages: dict[str, Any] = entry["stages"]
        stages.setdefault(shadowing.stage.name, []).append(shadowing)
    return list(people.values())


@dataclass(frozen=True)
class PlaybookStep:
    item: PlaybookItem
    check: PlaybookCheck | None
    needs_answer: bool


@dataclass(frozen=True)
class StagePlaybook:
    playbook: Playbook
    steps: list[PlaybookStep]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.check is not None)


def playbook_for(journey: Journey) -> StagePlaybook | None:
    """The checklist of the journey's current stage, with what is done on it."""
    playbook = Playbook.objects.filter(stage_id=journey.stage_id).first()
    if playbook is None:
        return None
    items = list(playbook.items.select_related("contract_item"))
    checks = {
        check.item_id: check
        for check in PlaybookCheck.objects.filter(journey=journey, item__in=items).select_related(
            "done_by"
        )
    }
    return StagePlaybook(
        playbook,
        [
            PlaybookStep(
                item,
                checks.get(item.pk),
                item.contract_item is not None and item.contract_item.rule == "confirmed",
            )
            for item in items
        ],
    )


def contract_answers(journey: Journey) -> dict[int, str]:
    """{contract item id: answer} from the playbook steps done in the current
    stage: what the handoff form starts from."""
    rows = PlaybookCheck.objects.filter(
        journey=journey,
        item__playbook__stage_id=journey.stage_id,
        item__contract_item__isnull=False,
    ).exclude(answer="")
    return dict(rows.values_list("item__contract_item_id", "answer"))


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    measure: goals.Measure
    progress: goals.Progress
    period: Period


def goal_frames() -> Frames:
    """The frames the insights pages read: the process's columnar copy of the
    maintained aggregates, not a read of every aggregate row per request."""
    frames, _ = columnar.COPY.frames()
    return frames


def goals_progress(
    chosen: Iterable[Goal], *, now: dt.datetime, frames: Frames | None = None
) -> list[GoalProgress]:
    """Each goal with its progress now; the frames are read once for all."""
    chosen = list(chosen)
    if not chosen:
        return []
    frames = frames if frames is not None else goal_frames()
    tz = timezone.get_current_timezone()
    result = []
    for goal in chosen:
        measure = goals.BY_KEY.get(goal.measure)
        if measure is None:
            continue
        period = goals.period_of(goal.starts_on, goal.ends_on, tz)
        scope = goals.Scope(goal.team_id, goal.member_id)
        result.append(
            GoalProgress(
                goal,
                measure,
                goals.progress(measure, goal.target, frames, scope, period, now),
                period,
            )
        )
    return result


def trainings(members: QuerySet[Member]) -> list[Training]:
    """The shadowings of these members and the replays they marked read."""
    tz = timezone.get_current_timezone()
    found = []
    for shadowing in Shadowing.objects.filter(member__in=members).select_related(
        "member__user", "stage"
    ):
        last_day = dt.datetime.combine(
            shadowing.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=tz
        )
        found.append(
            Training(
                member_id=shadowing.member_id,
                member=shadowing.member.name,
                kind="shadowing",
                title=f"Shadowed {shadowing.stage.name}",
                started_at=dt.datetime.combine(shadowing.starts_on, dt.time(), tzinfo=tz),
                ended_at=min(last_day, shadowing.closed_at) if shadowing.closed_at else last_day,
            )
        )
    read = ReplayAssignment.objects.filter(member__in=members, read_at__isnull=False)
    for assignment in read.select_related("member__user", "replay"):
        assert assignment.read_at is not None
        found.append(
            Training(
                member_id=assignment.member_id,
                member=assignment.member.name,
                kind="replay",
                title=f"Read “{assignment.replay.title}”",
                started_at=assignment.read_at,
                ended_at=assignment.read_at,
            )
        )
    return found


def handoffs_sent_by(member_ids: Iterable[int]) -> dict[int, list[HandoffRow]]:
    rows: dict[int, list[HandoffRow]] = {}
    handoffs = Handoff.objects.filter(from_member_id__in=list(member_ids)).values_list(
        "from_member_id", "sent_at", "due_at", "status", "responded_at", "rating"
    )
    for member_id, sent_at, due_at, status, responded_at, rating in handoffs.iterator():
        rows.setdefault(member_id, []).append(
            HandoffRow(sent_at, due_at, status, responded_at, rating)
        )
    return rows


def training_effect(members: QuerySet[Member], *, now: dt.datetime) -> list[Comparison]:
    found = trainings(members)
    handoffs = handoffs_sent_by({t.member_id for t in found})
    return compare_all(found, handoffs, now=now)
