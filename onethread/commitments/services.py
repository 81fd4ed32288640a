"""Writes to commitments: promises made, kept, broken or renegotiated."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.models import Commitment
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, member_of, record_event
from onethread.journeys.models import EventKind, Journey
from onethread.notifications.models import Notification
from onethread.notifications.services import notify

Status = Commitment.Status


def _clean_promise(promise: str) -> str:
    promise = promise.strip()
    if not promise:
        raise ValidationError({"promise": "Say what was promised."})
    if len(promise) > 2000:
        raise ValidationError({"promise": "Keep a promise under 2,000 characters."})
    return promise


def _check_owner(owner: User | None) -> None:
    if owner is not None and (not owner.is_active or member_of(owner) is None):
        raise ValidationError({"owner": "The owner must be an active member of a team."})


def _notify_owner(commitment: Commitment, by: User | None, at: dt.datetime) -> None:
    if commitment.owner is None:
        return
    maker = (by.get_full_name() or by.get_username()) if by else "onethread"
    due = f", due {commitment.due_on:%d %b %Y}" if commitment.due_on else ""
    notify(
        [commitment.owner],
        kind=Notification.Kind.COMMITMENT_OWNED,
        text=f"{maker} promised {commitment.journey.account.name}: “{commitment.promise[:200]}”"
        f"{due}. You are the owner who must keep it.",
        journey=commitment.journey,
        url=reverse("account-thread", args=[commitment.journey.account_id]),
        by=by,
        at=at,
    )


@transaction.atomic
def make_commitment(
    journey: Journey,
    promise: str,
    *,
    by: User | None,
    owner: User | None = None,
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Commitment:
    at = at or timezone.now()
    if journey.is_closed:
        raise ValidationError("This journey is closed.")
    _check_owner(owner)
    commitment = Commitment.objects.create(
        journey=journey,
        promise=_clean_promise(promise),
        made_by=by,
        made_at_stage_id=journey.stage_id,
        made_at=at,
        owner=owner,
        due_on=due_on,
    )
    record_event(
        journey,
        EventKind.COMMITMENT_MADE,
        by=by,
        occurred_at=at,
        payload={
            "commitment_id": commitment.pk,
            "promise": commitment.promise,
            "owner": (owner.get_full_name() or owner.get_username()) if owner else None,
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    _notify_owner(commitment, by, at)
    return commitment


def _record_change(
    commitment: Commitment,
    changes: dict[str, list[object]],
    *,
    by: User | None,
    at: dt.datetime,
    note: str,
) -> None:
    payload: dict[str, object] = {
        "commitment_id": commitment.pk,
        "promise": commitment.promise,
        "changes": changes,
    }
    if note.strip():
        payload["note"] = note.strip()
    record_event(
        commitment.journey, EventKind.COMMITMENT_CHANGED, by=by, occurred_at=at, payload=payload
    )


@transaction.atomic
def settle_commitment(
    commitment: Commitment,
    status: str,
    *,
    by: User | None,
    expected_version: int | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Commitment:
    """Mark a pending promise kept or broken."""
    at = at or timezone.now()
    if status not in (Status.KEPT, Status.BROKEN):
        raise ValidationError({"status": "A commitment is settled as kept or broken."})
    commitment = lock_for_edit(commitment, expected_version)
    if not commitment.is_pending:
        raise ValidationError({"status": f"This commitment was already {commitment.status}."})
    changes = apply_changes(commitment, {"status": status, "settled_at": at})
    commitment.save()
    _record_change(commitment, changes, by=by, at=at, note=note)
    return commitment


@transaction.atomic
def renegotiate_commitment(
    commitment: Commitment,
    *,
    by: User | None,
    expected_version: int | None,
    due_on: dt.date | None = None,
    owner: User | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Commitment:
    """Agree a new date (or a new owner) for a pending promise, openly."""
    at = at or timezone.now()
    commitment = lock_for_edit(commitment, expected_version)
    if not commitment.is_pending:
        raise ValidationError({"status": f"This commitment was already {commitment.status}."})
    _check_owner(owner)
    new_values: dict[str, object] = {}
    if due_on is not None:
        new_values["due_on"] = due_on
        new_values["status"] = Status.RENEGOTIATED
    if owner is not None:
        new_values["owner"] = owner
    changes = apply_changes(commitment, new_values)
    if not changes:
        raise ValidationError("Nothing changed.")
    commitment.save()
    _record_change(commitment, changes, by=by, at=at, note=note)
    if "owner" in changes:
        _notify_owner(commitment, by, at)
    return commitment
