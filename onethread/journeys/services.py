"""Writes to journeys: open, move, assign, annotate. Each validates, saves and
appends its event in one transaction."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onethread.customers.models import Account
from onethread.journeys import counts
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import join_account_team, record_event
from onethread.journeys.mentions import mention_payload, notify_mentioned, resolve_mentions
from onethread.journeys.models import EventKind, Journey, JourneyEvent, Stage
from onethread.team.models import Member, Team

NOTE_MAX_LENGTH = 5000


def first_stage() -> Stage:
    stage = Stage.objects.filter(kind=Stage.Kind.ACTIVE).order_by("position", "id").first()
    if stage is None:
        raise ValidationError("No active stage is configured.")
    return stage


@transaction.atomic
def open_journey(
    account: Account,
    *,
    team: Team,
    by: User | None,
    owner: Member | None = None,
    source: str = "",
    stage: Stage | None = None,
    at: dt.datetime | None = None,
) -> Journey:
    at = at or timezone.now()
    stage = stage or first_stage()
    if stage.is_outcome:
        raise ValidationError({"stage": "A journey opens in an active stage, not an outcome."})
    if Journey.objects.filter(account=account, closed_at__isnull=True).exists():
        raise ValidationError({"account": f"{account} already has an open journey."})
    journey = Journey.objects.create(
        account=account,
        team=owner.team if owner else team,
        stage=stage,
        owner=owner,
        source=source.strip(),
        opened_at=at,
        stage_entered_at=at,
    )
    counts.journey_entered(journey)
    record_event(
        journey,
        EventKind.JOURNEY_OPENED,
        by=by,
        occurred_at=at,
        payload={"account": account.name, "source": journey.source},
    )
    record_event(journey, EventKind.STAGE_ENTERED, by=by, occurred_at=at, payload={"to": stage.key})
    if owner is not None:
        join_account_team(journey, owner, owned=True, at=at)
    return journey


@transaction.atomic
def open_journey_for_new_account(
    name: str,
    *,
    team: Team,
    by: User | None,
    owner: Member | None = None,
    domain: str = "",
    segment: str = "",
    employees: int | None = None,
    source: str = "",
    at: dt.datetime | None = None,
) -> Journey:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "An account needs a name."})
    account = Account.objects.create(
        name=name,
        domain=domain.strip(),
        segment=segment.strip(),
        employees=employees,
        created_at=at or timezone.now(),
    )
    return open_journey(account, team=team, by=by, owner=owner, source=source, at=at)


def _check_stage_move(journey: Journey, stage: Stage, reason: str) -> None:
    current = journey.stage
    if journey.is_closed:
        raise ValidationError(f"This journey was closed as {current.name.lower()}.")
    if stage.pk == current.pk:
        raise ValidationError({"stage": f"The journey is already in {stage.name}."})
    if stage.is_outcome:
        if not reason:
            raise ValidationError({"reason": f"Say why the journey ends as {stage.name.lower()}."})
        if stage.side != current.side:
            raise ValidationError(
                {"stage": f"{stage.name} cannot end a journey in {current.name.lower()}."}
            )


@transaction.atomic
def move_stage(
    journey: Journey,
    stage: Stage,
    *,
    by: User | None,
    reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Journey:
    """Move a journey to another stage, or close it with a terminal outcome."""
    at = at or timezone.now()
    reason = reason.strip()
    journey = lock_for_edit(journey, expected_version)
    _check_stage_move(journey, stage, reason)
    counts.journey_left(journey)
    previous = journey.stage
    journey.stage = stage
    journey.stage_entered_at = at
    if stage.is_outcome:
        journey.closed_at = at
        journey.outcome_reason = reason
    elif previous.side == Stage.Side.ACQUISITION and stage.side == Stage.Side.RETENTION:
        journey.won_at = journey.won_at or at
    journey.save()
    counts.journey_entered(journey)
    payload = {"from": previous.key, "to": stage.key}
    if reason:
        payload["reason"] = reason
    record_event(journey, EventKind.STAGE_ENTERED, by=by, occurred_at=at, payload=payload)
    if journey.owner is not None and not stage.is_outcome:
        join_account_team(journey, journey.owner, owned=True, at=at)
    return journey


@transaction.atomic
def assign_owner(
    journey: Journey,
    owner: Member,
    *,
    by: User | None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Journey:
    at = at or timezone.now()
    journey = lock_for_edit(journey, expected_version)
    if journey.is_closed:
        raise ValidationError("A closed journey keeps its last owner.")
    if journey.owner_id == owner.pk:
        raise ValidationError({"owner": f"{owner.name} already owns this journey."})
    previous = journey.owner
    counts.journey_left(journey)
    journey.owner = owner
    journey.team = owner.team
    journey.save()
    counts.journey_entered(journey)
    record_event(
        journey,
        EventKind.OWNER_CHANGED,
        by=by,
        occurred_at=at,
        payload={
            "from": previous.name if previous else None,
            "from_id": previous.pk if previous else None,
            "to": owner.name,
            "to_id": owner.pk,
        },
    )
    join_account_team(journey, owner, owned=True, at=at)
    return journey


@transaction.atomic
def add_note(
    journey: Journey,
    text: str,
    *,
    by: User | None,
    question: bool = False,
    at: dt.datetime | None = None,
) -> JourneyEvent:
    """A note on the timeline. Each @username of an active member who can see
    the journey is a mention, and that member is notified; a question asks them."""
    at = at or timezone.now()
    text = text.strip()
    if not text:
        raise ValidationError({"text": "A note cannot be empty."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a note under {NOTE_MAX_LENGTH} characters."})
    mentioned = resolve_mentions(journey, text)
    payload: dict[str, object] = {"text": text}
    if mentioned:
        payload["mentions"] = mention_payload(mentioned)
    if question:
        payload["question"] = True
    event = record_event(journey, EventKind.NOTE_ADDED, by=by, occurred_at=at, payload=payload)
    if mentioned:
        notify_mentioned(journey, event, [member.user for member in mentioned], by=by, at=at)
    return event
