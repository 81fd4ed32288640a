"""Writes to deals: created with line items, then won or lost."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onethread.catalogue.models import Product
from onethread.deals.models import Deal, DealLineItem
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import EventKind, Journey
from onethread.needs.models import Need
from onethread.needs.services import change_need


@dataclass(frozen=True)
class LineItem:
    product: Product
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    need: Need | None = None


def _check_line_items(journey: Journey, line_items: list[LineItem]) -> None:
    for number, item in enumerate(line_items, start=1):
        if item.quantity < 1:
            raise ValidationError({"line_items": f"Line {number}: quantity must be at least 1."})
        if item.unit_price < 0:
            raise ValidationError({"line_items": f"Line {number}: price cannot be negative."})
        if item.need is not None and item.need.journey_id != journey.pk:
            raise ValidationError({"line_items": f"Line {number}: that need is another journey's."})


@transaction.atomic
def create_deal(
    journey: Journey,
    name: str,
    *,
    by: User | None,
    kind: str = Deal.Kind.NEW_BUSINESS,
    amount: Decimal | None = None,
    currency: str = "EUR",
    close_date: dt.date | None = None,
    line_items: list[LineItem] | None = None,
    at: dt.datetime | None = None,
) -> Deal:
    """Create a deal; each line mapped to a need marks that need addressed."""
    at = at or timezone.now()
    line_items = line_items or []
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A deal needs a name."})
    if kind not in Deal.Kind.values:
        raise ValidationError({"kind": "Unknown kind of deal."})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": "An amount cannot be negative."})
    _check_line_items(journey, line_items)
    if amount is None and line_items:
        amount = sum((item.unit_price * item.quantity for item in line_items), Decimal("0"))
    deal = Deal.objects.create(
        journey=journey,
        name=name,
        kind=kind,
        amount=amount,
        currency=currency.upper()[:3],
        close_date=close_date,
        created_by=by,
        created_at=at,
    )
    DealLineItem.objects.bulk_create(
        DealLineItem(
            deal=deal,
            product=item.product,
            quantity=item.quantity,
            unit_price=item.unit_price,
            need=item.need,
        )
        for item in line_items
    )
    record_event(
        journey,
        EventKind.DEAL_CREATED,
        by=by,
        occurred_at=at,
        payload={
            "deal_id": deal.pk,
            "name": deal.name,
            "kind": deal.kind,
            "amount": str(deal.amount) if deal.amount is not None else None,
            "currency": deal.currency,
            "products": [item.product.name for item in line_items],
        },
    )
    for item in line_items:
        need = item.need
        if need is not None and need.status == Need.Status.OPEN:
            change_need(
                need,
                by=by,
                expected_version=None,
                status=Need.Status.ADDRESSED,
                product=item.product,
                at=at,
            )
    return deal


def _close_deal(
    deal: Deal,
    status: str,
    *,
    by: User | None,
    expected_version: int | None,
    reason: str,
    at: dt.datetime | None,
) -> Deal:
    at = at or timezone.now()
    deal = lock_for_edit(deal, expected_version)
    if deal.status != Deal.Status.OPEN:
        raise ValidationError({"status": f"This deal is already {deal.status}."})
    new_values: dict[str, object] = {"status": status, "close_date": at.date()}
    if status == Deal.Status.LOST:
        if not reason.strip():
            raise ValidationError({"reason": "Say why the deal was lost."})
        new_values["lost_reason"] = reason.strip()
    changes = apply_changes(deal, new_values)
    deal.save()
    record_event(
        deal.journey,
        EventKind.DEAL_CHANGED,
        by=by,
        occurred_at=at,
        payload={
            "deal_id": deal.pk,
            "name": deal.name,
            "amount": str(deal.amount) if deal.amount is not None else None,
            "changes": changes,
        },
    )
    return deal


@transaction.atomic
def win_deal(
    deal: Deal,
    *,
    by: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Deal:
    return _close_deal(
        deal, Deal.Status.WON, by=by, expected_version=expected_version, reason="", at=at
    )


@transaction.atomic
def lose_deal(
    deal: Deal,
    reason: str,
    *,
    by: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Deal:
    return _close_deal(
        deal, Deal.Status.LOST, by=by, expected_version=expected_version, reason=reason, at=at
    )
