"""Handoffs: send with a frozen brief, then accept (the journey moves) or
return with a reason (the journey stays). Each write appends its events and
notifies the people concerned in the same transaction."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from onethread.handoffs.access import check_can_answer, check_can_send
from onethread.handoffs.brief import assemble_brief
from onethread.handoffs.contracts import ItemSpec, completeness, evaluate, journey_facts
from onethread.handoffs.models import Handoff, ReturnReason, Transition
from onethread.journeys.editing import EditConflict, lock_for_edit
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey, Stage
from onethread.journeys.services import assign_owner, move_stage
from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.team.models import Member, Role
from onethread.team.routing import route

NOTE_MAX_LENGTH = 5000


class HandoffAnswered(EditConflict):
    """Someone answered the handoff first."""

    def __init__(self, handoff: Handoff) -> None:
        who = handoff.responded_by.name if handoff.responded_by else "someone"
        when = (
            f" at {timezone.localtime(handoff.responded_at):%d %b %H:%M}"
            if handoff.responded_at
            else ""
        )
        super().__init__(
            handoff,
            handoff.version,
            handoff.version,
            f"This handoff was already {handoff.status} by {who}{when}; nothing was changed.",
        )


def transition_between(from_stage: Stage, to_stage: Stage) -> Transition:
    transition = (
        Transition.objects.filter(from_stage=from_stage, to_stage=to_stage)
        .select_related("receiving_team")
        .first()
    )
    if transition is None:
        raise ValidationError(
            {
                "to_stage": f"{to_stage.name} does not follow {from_stage.name}: "
                "no handoff goes there."
            }
        )
    return transition


def contract_items(transition: Transition) -> list[ItemSpec]:
    return [
        ItemSpec(item.pk, item.label, item.rule, item.required)
        for item in transition.items.order_by("position", "id")
    ]


def _receiver(
    transition: Transition, sender: Member, to_member: Member | None
) -> tuple[Member, bool]:
    """The named receiver after checks, or one chosen by the receiving team's routing rule."""
    if to_member is not None:
        if to_member.pk == sender.pk:
            raise ValidationError({"to_member": "You cannot hand a journey off to yourself."})
        if not to_member.user.is_active:
            raise ValidationError({"to_member": f"{to_member.name} can no longer sign in."})
        if not to_member.is_available:
            raise ValidationError({"to_member": f"{to_member.name} is marked unavailable."})
        return to_member, False
    team = transition.receiving_team or sender.team
    role = transition.to_stage.owner_role or Role.AE
    routed = route(team, role, exclude=[sender.pk])
    if routed is None:
        raise ValidationError(
            {"to_member": f"Nobody in {team} who works {transition.to_stage.name} is available."}
        )
    return routed, True


@transaction.atomic
def send_handoff(
    journey: Journey,
    *,
    by: User,
    to_stage: Stage,
    to_member: Member | None = None,
    answers: Mapping[int, str] | None = None,
    note: str = "",
    open_questions: str = "",
    override_reason: str = "",
    at: dt.datetime | None = None,
) -> Handoff:
    """Send the journey to the next stage. Required contract items that are
    not met must be overridden with a reason, which is recorded."""
    at = at or timezone.now()
    sender = check_can_send(by, journey)
    if journey.is_closed:
        raise ValidationError("This journey is closed.")
    if len(note) > NOTE_MAX_LENGTH or len(open_questions) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep notes and questions under {NOTE_MAX_LENGTH} characters.")
    transition = transition_between(journey.stage, to_stage)
    if Handoff.objects.filter(journey=journey, status=Handoff.Status.PENDING).exists():
        raise ValidationError("A handoff of this journey is already waiting for an answer.")
    receiver, routed = _receiver(transition, sender, to_member)
    results = evaluate(contract_items(transition), journey_facts(journey, by.pk), answers or {})
    missing = [result["label"] for result in results if result["required"] and not result["met"]]
    override_reason = override_reason.strip()
    if missing and not override_reason:
        raise ValidationError(
            {
                # The code on the inner error: a dict of messages drops an outer code.
                "override_reason": ValidationError(
                    "Required for the next stage but missing: "
                    + "; ".join(missing)
                    + ". Complete them, or give a reason to send anyway.",
                    code="override_required",
                )
            }
        )
    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(
                journey=journey,
                from_member=sender,
                from_stage=journey.stage,
                to_member=receiver,
                to_stage=to_stage,
                routed=routed,
                sent_at=at,
                due_at=at + transition.sla,
                brief=assemble_brief(journey, at),
                contract=results,
                completeness=completeness(results),
                override_reason=override_reason if missing else "",
                note=note.strip(),
                open_questions=open_questions.strip(),
            )
    except IntegrityError as error:
        raise ValidationError(
            "A handoff of this journey is already waiting for an answer."
        ) from error
    payload: dict[str, object] = {
        "handoff_id": handoff.pk,
        "from": sender.name,
        "to": receiver.name,
        "to_member_id": receiver.pk,
        "to_stage": to_stage.key,
        "completeness": round(handoff.completeness, 3),
        "missing": missing,
        "routed": routed,
    }
    if handoff.override_reason:
        payload["override_reason"] = handoff.override_reason
    record_event(journey, EventKind.HANDOFF_SENT, by=by, occurred_at=at, payload=payload)
    notify(
        [receiver.user],
        kind=Notification.Kind.HANDOFF_RECEIVED,
        text=f"{sender.name} handed {journey.account.name} to you for {to_stage.name}.",
        journey=journey,
        url=reverse("handoff", args=[handoff.pk]),
        by=by,
        at=at,
    )
    return handoff


def _lock_pending(handoff: Handoff, expected_version: int | None) -> Handoff:
    """Lock the handoff row; the first answer wins, a later one conflicts."""
    # No select_related: PostgreSQL refuses FOR UPDATE over the outer join a
    # nullable responded_by needs. HandoffAnswered loads who answered, after the lock.
    fresh = Handoff.objects.select_for_update().get(pk=handoff.pk)
    if not fresh.is_pending:
        raise HandoffAnswered(fresh)
    return lock_for_edit(fresh, expected_version)


@transaction.atomic
def accept_handoff(
    handoff: Handoff,
    *,
    by: User,
    rating: int,
    missing: Sequence[str] = (),
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Handoff:
    """Accept: the journey moves to the handoff's stage and owner; the
    receiver rates the handoff and names what was missing."""
    at = at or timezone.now()
    handoff = _lock_pending(handoff, expected_version)
    acceptor = check_can_answer(by, handoff)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the handoff from 1 to 5."})
    missing = [item.strip()[:200] for item in missing if item.strip()]
    journey = handoff.journey
    if journey.is_closed or journey.stage_id != handoff.from_stage_id:
        raise ValidationError(
            "The journey has moved since this handoff was sent; return it instead."
        )
    handoff.status = Handoff.Status.ACCEPTED
    handoff.responded_at = at
    handoff.responded_by = acceptor
    handoff.rating = rating
    handoff.missing_feedback = missing
    handoff.save()
    record_event(
        journey,
        EventKind.HANDOFF_ACCEPTED,
        by=by,
        occurred_at=at,
        payload={
            "handoff_id": handoff.pk,
            "from_stage": handoff.from_stage.key,
            "to_stage": handoff.to_stage.key,
            "rating": rating,
            "missing": missing,
            "seconds_to_accept": int((at - handoff.sent_at).total_seconds()),
        },
    )
    journey = move_stage(journey, handoff.to_stage, by=by, at=at)
    # A manager or admin accepting on the receiver's behalf leaves them the owner.
    owner = handoff.to_member if acceptor.is_manager or acceptor.is_admin else acceptor
    if journey.owner_id != owner.pk:
        assign_owner(journey, owner, by=by, at=at)
    notify(
        [handoff.from_member.user],
        kind=Notification.Kind.HANDOFF_ACCEPTED,
        text=f"{acceptor.name} accepted {journey.account.name} ({rating}/5).",
        journey=journey,
        url=reverse("handoff", args=[handoff.pk]),
        by=by,
        at=at,
    )
    return handoff


@transaction.atomic
def return_handoff(
    handoff: Handoff,
    *,
    by: User,
    reason: ReturnReason | None,
    comment: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Handoff:
    """Return the handoff to its sender with a reason; the journey stays as it was."""
    at = at or timezone.now()
    handoff = _lock_pending(handoff, expected_version)
    member = check_can_answer(by, handoff)
    if reason is None or not reason.is_active:
        raise ValidationError({"reason": "Say why you return it: choose a reason."})
    comment = comment.strip()
    if len(comment) > NOTE_MAX_LENGTH:
        raise ValidationError({"comment": f"Keep the comment under {NOTE_MAX_LENGTH} characters."})
    handoff.status = Handoff.Status.RETURNED
    handoff.responded_at = at
    handoff.responded_by = member
    handoff.return_reason = reason
    handoff.return_comment = comment
    handoff.save()
    journey = handoff.journey
    record_event(
        journey,
        EventKind.HANDOFF_RETURNED,
        by=by,
        occurred_at=at,
        payload={
            "handoff_id": handoff.pk,
            "reason": reason.key,
            "reason_label": reason.label,
            "comment": comment,
            "to_stage": handoff.to_stage.key,
        },
    )
    notify(
        [handoff.from_member.user],
        kind=Notification.Kind.HANDOFF_RETURNED,
        text=f"{member.name} returned {journey.account.name}: {reason.label}."
        + (f" “{comment[:200]}”" if comment else ""),
        journey=journey,
        url=reverse("handoff", args=[handoff.pk]),
        by=by,
        at=at,
    )
    return handoff


def managers_of(*members: Member) -> list[User]:
    team_ids = {member.team_id for member in members}
    return [
        manager.user
        for manager in Member.objects.filter(
            team_id__in=team_ids, role=Role.MANAGER
        ).select_related("user")
    ]


@transaction.atomic
def flag_overdue_handoffs(now: dt.datetime | None = None) -> int:
    """Record each newly overdue handoff once, and tell both sides and their managers."""
    now = now or timezone.now()
    overdue = list(
        Handoff.objects.select_for_update()
        .filter(status=Handoff.Status.PENDING, due_at__lt=now, overdue_flagged_at__isnull=True)
        .select_related("journey__account", "from_member__user", "to_member__user", "to_stage")
        .order_by("due_at")[:500]
    )
    for handoff in overdue:
        handoff.overdue_flagged_at = now
        handoff.save(update_fields=["overdue_flagged_at"])
        hours_over = round((now - handoff.due_at).total_seconds() / 3600, 1)
        record_event(
            handoff.journey,
            EventKind.HANDOFF_OVERDUE,
            by=None,
            occurred_at=now,
            payload={
                "handoff_id": handoff.pk,
                "to": handoff.to_member.name,
                "due_at": handoff.due_at.isoformat(),
                "hours_over": hours_over,
            },
        )
        notify(
            [
                handoff.to_member.user,
                handoff.from_member.user,
                *managers_of(handoff.to_member, handoff.from_member),
            ],
            kind=Notification.Kind.HANDOFF_OVERDUE,
            text=f"The handoff of {handoff.journey.account.name} to {handoff.to_member.name} "
            f"({handoff.to_stage.name}) is past its SLA.",
            journey=handoff.journey,
            url=reverse("handoff", args=[handoff.pk]),
            at=now,
        )
    return len(overdue)


def pending_handoff(journey: Journey) -> Handoff | None:
    return (
        Handoff.objects.filter(journey=journey, status=Handoff.Status.PENDING)
        .select_related("to_member__user", "from_member__user", "to_stage")
        .first()
    )
