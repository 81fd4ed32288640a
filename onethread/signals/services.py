"""Writes to signals once raised (see raising): acted on (an expansion deal
or a follow-up task) or dismissed with a reason. Each change appends a
journey event and tells the person it was routed to."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onethread.catalogue.models import Product
from onethread.deals.models import Deal
from onethread.deals.services import LineItem, create_deal
from onethread.journeys.editing import EditConflict
from onethread.journeys.events import member_of, record_event
from onethread.journeys.models import EventKind
from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.signals.models import DismissReason, FollowUp, Signal

KEY_BATCH = 2000
TASK_MAX_LENGTH = 2000


def _inbox_url() -> str:
    return reverse("signals")


def _lock_open(signal: Signal, expected_version: int | None) -> Signal:
    locked = (
        Signal.objects.select_for_update(of=("self",))
        .select_related("journey__account")
        .get(pk=signal.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(locked, expected_version, locked.version)
    if not locked.is_open:
        raise ValidationError(f"This signal is already {locked.get_status_display().lower()}.")
    return locked


def _tell_routed(signal: Signal, text: str, by: User | None, at: dt.datetime) -> None:
    if signal.routed_to_id is not None:
        notify(
            [signal.routed_to.user],  # type: ignore[union-attr]
            kind=Notification.Kind.SIGNAL,
            text=text,
            journey=signal.journey,
            url=_inbox_url(),
            by=by,
            at=at,
        )


def _expansion_deal(
    signal: Signal, *, by: User | None, name: str, amount: Decimal | None, at: dt.datetime
) -> Deal:
    product: Product = signal.product  # type: ignore[assignment]
    return create_deal(
        signal.journey,
        name.strip() or f"{product.name} for {signal.journey.account.name}",
        by=by,
        kind=Deal.Kind.EXPANSION,
        amount=amount,
        line_items=[
            LineItem(product=product, unit_price=product.list_price or Decimal(0), need=signal.need)
        ],
        at=at,
    )


@transaction.atomic
def act_on_signal(
    signal: Signal,
    *,
    by: User | None,
    deal_name: str = "",
    amount: Decimal | None = None,
    task: str = "",
    due_on: dt.date | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Signal:
    """Act on an open signal: an expansion signal with a product becomes an
    expansion deal (linked to the signal and its need); any other becomes a
    follow-up task for the person acting."""
    at = at or timezone.now()
    signal = _lock_open(signal, expected_version)
    deal = None
    follow_up = None
    if signal.is_expansion and signal.product_id is not None:
        deal = _expansion_deal(signal, by=by, name=deal_name, amount=amount, at=at)
    else:
        task = task.strip()
        if not task:
            raise ValidationError({"task": "Say what you will do about it."})
        if len(task) > TASK_MAX_LENGTH:
            raise ValidationError({"task": f"Keep it under {TASK_MAX_LENGTH} characters."})
        owner = member_of(by) or signal.routed_to
        if owner is None:
            raise ValidationError("Only a team member can take a follow-up.")
        follow_up = FollowUp.objects.create(
            signal=signal, owner=owner, text=task, due_on=due_on, created_at=at
        )
    signal.status = Signal.Status.ACTED
    signal.resolved_at = at
    signal.resolved_by = by
    signal.deal = deal
    signal.version += 1
    signal.save()
    record_event(
        signal.journey,
        EventKind.SIGNAL_ACTED,
        by=by,
        occurred_at=at,
        payload={
            "signal_id": signal.pk,
            "kind": signal.kind,
            "deal_id": deal.pk if deal else None,
            "need_id": signal.need_id,
            "task": follow_up.text if follow_up else None,
        },
    )
    _tell_routed(signal, f"Acted on: {signal.explanation}", by, at)
    return signal


@transaction.atomic
def dismiss_signal(
    signal: Signal,
    reason: str,
    *,
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Signal:
    at = at or timezone.now()
    if reason not in DismissReason.values:
        raise ValidationError({"reason": "Choose why you dismiss it."})
    if len(note) > TASK_MAX_LENGTH:
        raise ValidationError({"note": f"Keep it under {TASK_MAX_LENGTH} characters."})
    signal = _lock_open(signal, expected_version)
    signal.status = Signal.Status.DISMISSED
    signal.dismiss_reason = reason
    signal.dismiss_note = note.strip()
    signal.resolved_at = at
    signal.resolved_by = by
    signal.version += 1
    signal.save()
    record_event(
        signal.journey,
        EventKind.SIGNAL_DISMISSED,
        by=by,
        occurred_at=at,
        payload={
            "signal_id": signal.pk,
            "kind": signal.kind,
            "reason": reason,
            "note": signal.dismiss_note,
        },
    )
    _tell_routed(
        signal, f"Dismissed ({signal.get_dismiss_reason_display()}): {signal.explanation}", by, at
    )
    return signal
