"""Writes for training: curate and assign replays, read and reflect on them,
and run cross-training (shadowing) assignments."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from onethread.handoffs.models import ContractItem
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey, Stage
from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.team.models import Member, Team
from onethread.training import goals
from onethread.training.models import (
    Goal,
    Playbook,
    PlaybookCheck,
    PlaybookItem,
    ReplayAssignment,
    SavedReplay,
    ShadowedJourney,
    Shadowing,
    ShadowingNote,
    ShadowRead,
)

TEXT_MAX = 5000
MAX_TAGS = 10
MAX_SHADOWING_DAYS = 92


def clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()[:40]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"Keep to {MAX_TAGS} tags."})
    return cleaned


def _text(value: str, field: str, what: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"Write {what}."})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"Keep it under {TEXT_MAX} characters."})
    return value


def _check_curator(member: Member) -> None:
    if not (member.is_manager or member.is_admin):
        raise ValidationError("Only managers and admins curate training.")


@transaction.atomic
def save_replay(
    journey: Journey,
    *,
    title: str,
    lesson: str,
    tags: Iterable[str] = (),
    by: Member,
    at: dt.datetime | None = None,
) -> SavedReplay:
    """Keep a journey's replay in the library with what to learn from it."""
    _check_curator(by)
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": "Give the replay a title (under 200 characters)."})
    return SavedReplay.objects.create(
        journey=journey,
        title=title,
        lesson=_text(lesson, "lesson", "the lesson"),
        tags=clean_tags(tags),
        created_by=by,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def assign_replay(
    replay: SavedReplay,
    *,
    members: Iterable[Member] = (),
    teams: Iterable[Team] = (),
    by: Member,
    at: dt.datetime | None = None,
) -> list[ReplayAssignment]:
    """Ask members (and every member of the teams) to read a replay; those
    already asked are left as they are. Returns the new assignments."""
    _check_curator(by)
    at = at or timezone.now()
    chosen: dict[int, tuple[Member, Team | None]] = {m.pk: (m, None) for m in members}
    for team in teams:
        for member in Member.objects.filter(team=team):
            chosen.setdefault(member.pk, (member, team))
    if not chosen:
        raise ValidationError("Choose the members or teams to assign it to.")
    already = set(
        ReplayAssignment.objects.filter(replay=replay, member_id__in=chosen).values_list(
            "member_id", flat=True
        )
    )
    created = [
        ReplayAssignment.objects.create(
            replay=replay, member=member, team=team, assigned_by=by, assigned_at=at
        )
        for pk, (member, team) in chosen.items()
        if pk not in already
    ]
    notify(
        (assignment.member.user for assignment in created),
        kind=Notification.Kind.TRAINING,
        text=f"{by.name} asks you to read the replay “{replay.title}”.",
        url=reverse("replay", args=[replay.pk]),
        by=by.user,
        at=at,
    )
    return created


def mark_replay_read(
    assignment: ReplayAssignment, *, at: dt.datetime | None = None
) -> ReplayAssignment:
    if assignment.read_at is None:
        assignment.read_at = at or timezone.now()
        assignment.save(update_fields=["read_at"])
    return assignment


def reflect_on_replay(
    assignment: ReplayAssignment, text: str, *, at: dt.datetime | None = None
) -> ReplayAssignment:
    """Write (or rewrite) one's reflection; reflecting also marks it read."""
    at = at or timezone.now()
    assignment.reflection = _text(text, "reflection", "your reflection")
    assignment.reflected_at = at
    assignment.read_at = assignment.read_at or at
    assignment.save(update_fields=["reflection", "reflected_at", "read_at"])
    return assignment


@transaction.atomic
def assign_shadowing(
    member: Member,
    stage: Stage,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    journeys: Iterable[Journey],
    by: Member,
    at: dt.datetime | None = None,
) -> Shadowing:
    """A member follows another stage's journeys for a period."""
    _check_curator(by)
    if stage.is_outcome:
        raise ValidationError({"stage": "Shadow an active stage, not an outcome."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The period ends after it starts."})
    if (ends_on - starts_on).days > MAX_SHADOWING_DAYS:
        raise ValidationError({"ends_on": f"Keep a shadowing under {MAX_SHADOWING_DAYS} days."})
    followed = list({journey.pk: journey for journey in journeys}.values())
    if not followed:
        raise ValidationError({"journeys": "Name the journeys to follow."})
    shadowing = Shadowing.objects.create(
        member=member,
        stage=stage,
        starts_on=starts_on,
        ends_on=ends_on,
        assigned_by=by,
        created_at=at or timezone.now(),
    )
    ShadowedJourney.objects.bulk_create(
        ShadowedJourney(shadowing=shadowing, journey=journey) for journey in followed
    )
    notify(
        [member.user],
        kind=Notification.Kind.TRAINING,
        text=(
            f"{by.name} set up a shadowing for you: {stage.name}, "
            f"{starts_on.isoformat()} to {ends_on.isoformat()}, "
            f"{len(followed)} journey(s) to follow."
        ),
        url=reverse("shadowing", args=[shadowing.pk]),
        by=by.user,
        at=at,
    )
    return shadowing


def _check_open(shadowing: Shadowing) -> None:
    if shadowing.closed_at is not None:
        raise ValidationError("This shadowing is closed.")


def add_shadowing_note(
    shadowing: Shadowing,
    text: str,
    *,
    journey: Journey | None = None,
    at: dt.datetime | None = None,
) -> ShadowingNote:
    _check_open(shadowing)
    if journey is not None and not shadowing.followed.filter(journey=journey).exists():
        raise ValidationError({"journey": "That journey is not one this shadowing follows."})
    return ShadowingNote.objects.create(
        shadowing=shadowing,
        journey=journey,
        text=_text(text, "text", "a note"),
        written_at=at or timezone.now(),
    )


def close_shadowing(
    shadowing: Shadowing, reflection: str, *, at: dt.datetime | None = None
) -> Shadowing:
    _check_open(shadowing)
    shadowing.reflection = _text(reflection, "reflection", "your reflection")
    shadowing.closed_at = at or timezone.now()
    shadowing.save(update_fields=["reflection", "closed_at"])
    return shadowing


def record_shadow_read(
    shadowing: Shadowing, journey: Journey, *, via: str, at: dt.datetime | None = None
) -> ShadowRead:
    return ShadowRead.objects.create(
        shadowing=shadowing,
        journey=journey,
        member_id=shadowing.member_id,
        via=via,
        read_at=at or timezone.now(),
    )


def _stage_playbook(stage: Stage) -> Playbook:
    playbook, _ = Playbook.objects.get_or_create(stage=stage)
    return playbook


@transaction.atomic
def update_playbook(
    stage: Stage,
    *,
    good_looks_like: str,
    next_stage_needs: str,
    by: Member,
    at: dt.datetime | None = None,
) -> Playbook:
    _check_curator(by)
    if stage.is_outcome:
        raise ValidationError("Outcomes have no playbook.")
    playbook = _stage_playbook(stage)
    playbook.good_looks_like = _text(good_looks_like, "good_looks_like", "", required=False)
    playbook.next_stage_needs = _text(next_stage_needs, "next_stage_needs", "", required=False)
    playbook.updated_by = by
    playbook.updated_at = at or timezone.now()
    playbook.save()
    return playbook


@transaction.atomic
def add_playbook_item(
    stage: Stage,
    label: str,
    *,
    by: Member,
    guidance: str = "",
    contract_item: ContractItem | None = None,
) -> PlaybookItem:
    """A checklist step; tied to a contract item of a step out of this stage."""
    _check_curator(by)
    if stage.is_outcome:
        raise ValidationError("Outcomes have no playbook.")
    label, guidance = label.strip(), guidance.strip()
    if not label or len(label) > 200:
        raise ValidationError({"label": "Name the step (under 200 characters)."})
    if len(guidance) > 300:
        raise ValidationError({"guidance": "Keep the guidance under 300 characters."})
    if contract_item is not None and contract_item.transition.from_stage_id != stage.pk:
        raise ValidationError(
            {"contract_item": "Tie the step to a contract item of a handoff out of this stage."}
        )
    playbook = _stage_playbook(stage)
    position = (playbook.items.aggregate(top=Max("position"))["top"] or 0) + 1
    return PlaybookItem.objects.create(
        playbook=playbook,
        label=label,
        guidance=guidance,
        contract_item=contract_item,
        position=position,
    )


def remove_playbook_item(item: PlaybookItem, *, by: Member) -> None:
    _check_curator(by)
    item.delete()


@transaction.atomic
def complete_playbook_step(
    journey: Journey,
    item: PlaybookItem,
    *,
    by: User,
    answer: str = "",
    at: dt.datetime | None = None,
) -> PlaybookCheck:
    """Mark a step of the current stage's checklist done on a journey. Its
    answer fills the tied contract item of the next handoff."""
    at = at or timezone.now()
    journey = Journey.objects.select_for_update().select_related("stage").get(pk=journey.pk)
    if journey.is_closed:
        raise ValidationError("This journey is closed.")
    if item.playbook.stage_id != journey.stage_id:
        raise ValidationError(f"That step belongs to another stage than {journey.stage.name}.")
    answer = answer.strip()
    if len(answer) > 500:
        raise ValidationError({"answer": "Keep the answer under 500 characters."})
    confirmed = item.contract_item is not None and item.contract_item.rule == "confirmed"
    if confirmed and not answer:
        raise ValidationError({"answer": "Say how it was done: the answer goes into the handoff."})
    if PlaybookCheck.objects.filter(journey=journey, item=item).exists():
        raise ValidationError("This step is already done.")
    check = PlaybookCheck.objects.create(
        journey=journey, item=item, done_by=by, done_at=at, answer=answer
    )
    record_event(
        journey,
        EventKind.PLAYBOOK_STEP_DONE,
        by=by,
        occurred_at=at,
        payload={
            "item_id": item.pk,
            "label": item.label,
            "contract_item_id": item.contract_item_id,
            "answer": answer,
        },
    )
    return check


MAX_GOAL_DAYS = 366


@transaction.atomic
def set_goal(
    *,
    team: Team,
    measure: str,
    target: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    by: Member,
    member: Member | None = None,
    at: dt.datetime | None = None,
) -> Goal:
    """A goal for a team or one of its members: managers for their own team,
    admins for any."""
    _check_curator(by)
    if not by.is_admin and by.team_id != team.pk:
        raise ValidationError({"team": "Managers set goals for their own team."})
    if member is not None and member.team_id != team.pk:
        raise ValidationError({"member": "That member is not in the team."})
    chosen = goals.BY_KEY.get(measure)
    if chosen is None:
        raise ValidationError({"measure": "No such measure."})
    scope = goals.MEMBER if member is not None else goals.TEAM
    if scope not in chosen.scopes:
        raise ValidationError({"measure": f"“{chosen.label}” is a goal for a member only."})
    if not target.is_finite() or target <= 0 or target >= Decimal("1e8"):
        raise ValidationError({"target": "Give a target above zero."})
    if chosen.unit == "percent" and target > 100:
        raise ValidationError({"target": "A percentage goes up to 100."})
    if chosen.unit == "rating" and target > 5:
        raise ValidationError({"target": "Ratings go from 1 to 5."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The period ends after it starts."})
    if (ends_on - starts_on).days >= MAX_GOAL_DAYS:
        raise ValidationError({"ends_on": f"Keep a goal under {MAX_GOAL_DAYS} days."})
    return Goal.objects.create(
        team=team,
        member=member,
        measure=measure,
        target=target.quantize(Decimal("0.01")),
        starts_on=starts_on,
        ends_on=ends_on,
        set_by=by,
        created_at=at or timezone.now(),
    )
