"""Appending to the journey event log: the one place events are written."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser, User
from django.db import models
from django.utils import timezone

from onethread.journeys.models import AccountTeamMember, EventKind, Journey, JourneyEvent
from onethread.team.models import Member
from onethread.webhooks.services import queue_deliveries


def member_of(user: User | None) -> Member | None:
    """The user's member profile with its team, read once per user object."""
    if user is None or user.pk is None:
        return None
    # Django's own cache of `user.member`, filled here with the team joined in.
    cache = user._state.fields_cache
    if "member" not in cache:
        cache["member"] = Member.objects.select_related("team").filter(user_id=user.pk).first()
    member: Member | None = cache["member"]
    return member


def record_event(
    journey: Journey,
    kind: EventKind,
    *,
    by: User | None,
    occurred_at: dt.datetime | None,
    payload: dict[str, Any] | None = None,
) -> JourneyEvent:
    """Append one event, and seat its actor on the journey's account team.

    Call it inside the service's transaction, after the change it describes.
    """
    event = JourneyEvent.objects.create(
        journey=journey,
        kind=kind,
        stage_id=journey.stage_id,
        actor=by,
        occurred_at=occurred_at,
        recorded_at=timezone.now(),
        payload=payload or {},
    )
    member = member_of(by)
    if member is not None:
        join_account_team(journey, member, owned=False, at=occurred_at)
    queue_deliveries(event)
    return event


def join_account_team(
    journey: Journey, member: Member, *, owned: bool, at: dt.datetime | None
) -> None:
    seat = AccountTeamMember(
        journey=journey,
        member=member,
        stage_id=journey.stage_id,
        owned=owned,
        joined_at=at or timezone.now(),
    )
    AccountTeamMember.objects.bulk_create([seat], ignore_conflicts=True)
    if owned:
        AccountTeamMember.objects.filter(
            journey=journey, member=member, stage_id=journey.stage_id, owned=False
        ).update(owned=True)


def _describe(value: object) -> object:
    if isinstance(value, AbstractUser):
        return value.get_full_name() or value.get_username()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def apply_changes(record: models.Model, new_values: dict[str, object]) -> dict[str, list[object]]:
    """Set the new values on the record; return {field: [old, new]} for those
    that differ, in a form fit for an event payload."""
    changes: dict[str, list[object]] = {}
    for field, new in new_values.items():
        old = getattr(record, field)
        if old != new:
            changes[field] = [_describe(old), _describe(new)]
            setattr(record, field, new)
    return changes
