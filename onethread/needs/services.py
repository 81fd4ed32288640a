"""Writes to the needs ledger."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onethread.catalogue.models import Category, Product
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import EventKind, Journey
from onethread.needs.models import Need
from onethread.needs.similarity import best_matches

Status = Need.Status

# Where a need may go from each status. Delivered is final: value was verified.
NEXT_STATUSES: dict[str, set[str]] = {
    Status.OPEN: {Status.ADDRESSED, Status.UNMET},
    Status.ADDRESSED: {Status.OPEN, Status.DELIVERED, Status.UNMET},
    Status.UNMET: {Status.OPEN, Status.ADDRESSED},
    Status.DELIVERED: set(),
}


def _clean_statement(statement: str) -> str:
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Say what the customer needs."})
    if len(statement) > 2000:
        raise ValidationError({"statement": "Keep a need under 2,000 characters."})
    return statement


class PossibleRepeat(ValidationError):
    """The ledger already holds needs like this one, known from an earlier stage."""

    def __init__(self, matches: list[tuple[Need, float]]) -> None:
        self.matches = matches
        first = matches[0][0]
        super().__init__(
            {
                "statement": f"Already known from {first.captured_at_stage.name}: "
                f"“{first.statement}”. Is this the same need?"
            },
            code="possible_repeat",
        )


def known_from_earlier_stages(journey: Journey, statement: str) -> list[tuple[Need, float]]:
    """Needs captured before the journey reached its current stage that say
    what the statement says, most similar first."""
    earlier = {
        need.pk: need
        for need in Need.objects.filter(journey=journey)
        .exclude(captured_at_stage_id=journey.stage_id)
        .select_related("captured_at_stage", "captured_by")
    }
    known = [(need.pk, need.statement) for need in earlier.values()]
    return [(earlier[need_id], score) for need_id, score in best_matches(statement, known)]


def _check_open(journey: Journey) -> None:
    if journey.is_closed:
        raise ValidationError("This journey is closed.")


@transaction.atomic
def capture_need(
    journey: Journey,
    statement: str,
    *,
    by: User | None,
    category: Category | None = None,
    priority: int = Need.Priority.MEDIUM,
    repeat: str | None = None,
    at: dt.datetime | None = None,
) -> Need:
    """Capture a need. When the ledger already knows a similar need from an
    earlier stage, refuse with PossibleRepeat unless the person says it is the
    `repeat="same"` need asked again (recorded as repeated discovery) or a
    `repeat="different"` one."""
    at = at or timezone.now()
    _check_open(journey)
    if priority not in Need.Priority.values:
        raise ValidationError({"priority": "Unknown priority."})
    if repeat not in (None, "same", "different"):
        raise ValidationError({"repeat": "Say whether it is the same need or a different one."})
    statement = _clean_statement(statement)
    matches = known_from_earlier_stages(journey, statement) if repeat != "different" else []
    if matches and repeat is None:
        raise PossibleRepeat(matches)
    need = Need.objects.create(
        journey=journey,
        statement=statement,
        category=category,
        priority=priority,
        captured_by=by,
        captured_at_stage_id=journey.stage_id,
        captured_at=at,
        updated_at=at,
    )
    record_event(
        journey,
        EventKind.NEED_CAPTURED,
        by=by,
        occurred_at=at,
        payload={
            "need_id": need.pk,
            "statement": need.statement,
            "category": category.slug if category else None,
            "priority": need.get_priority_display(),
        },
    )
    if repeat == "same" and matches:
        known, score = matches[0]
        record_event(
            journey,
            EventKind.REPEATED_DISCOVERY,
            by=by,
            occurred_at=at,
            payload={
                "need_id": need.pk,
                "statement": need.statement,
                "repeats_need_id": known.pk,
                "repeats_statement": known.statement,
                "known_since_stage": known.captured_at_stage.key,
                "similarity": round(score, 3),
            },
        )
    return need


@transaction.atomic
def change_need(
    need: Need,
    *,
    by: User | None,
    expected_version: int | None,
    statement: str | None = None,
    status: str | None = None,
    priority: int | None = None,
    category: Category | None = None,
    product: Product | None = None,
    at: dt.datetime | None = None,
) -> Need:
    """Change what is given; record old and new values of what changed."""
    at = at or timezone.now()
    need = lock_for_edit(need, expected_version)
    new_values: dict[str, object] = {}
    if statement is not None:
        new_values["statement"] = _clean_statement(statement)
    if status is not None:
        if status not in Status.values:
            raise ValidationError({"status": "Unknown status."})
        if status != need.status and status not in NEXT_STATUSES[need.status]:
            raise ValidationError({"status": f"A {need.status} need cannot become {status}."})
        new_values["status"] = status
    if priority is not None:
        if priority not in Need.Priority.values:
            raise ValidationError({"priority": "Unknown priority."})
        new_values["priority"] = priority
    if category is not None:
        new_values["category"] = category
    if product is not None:
        new_values["product"] = product
    changes = apply_changes(need, new_values)
    if not changes:
        raise ValidationError("Nothing changed.")
    need.updated_at = at
    need.save()
    record_event(
        need.journey,
        EventKind.NEED_CHANGED,
        by=by,
        occurred_at=at,
        payload={"need_id": need.pk, "statement": need.statement, "changes": changes},
    )
    return need
