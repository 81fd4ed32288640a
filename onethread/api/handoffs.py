"""/handoffs and /journeys/{id}/handoffs: send a journey to the next stage
with its brief, accept or return a handoff, and read the inbox."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.handoff_schemas import (
    AcceptIn,
    HandoffIn,
    HandoffOut,
    HandoffQuery,
    HandoffSummaryOut,
    NextStepsOut,
    ReasonOut,
    ReturnIn,
)
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import IdPath, PageOut
from onethread.api.schemas import error_responses as errors
from onethread.handoffs.access import check_can_send, get_handoff_for_user, visible_handoffs
from onethread.handoffs.contracts import ItemSpec, evaluate, journey_facts
from onethread.handoffs.models import Handoff, ReturnReason, Transition
from onethread.handoffs.panel import receivers_by_transition
from onethread.handoffs.services import (
    accept_handoff,
    contract_items,
    return_handoff,
    send_handoff,
    transition_between,
)
from onethread.journeys.access import NotPermitted, get_journey_for_user, viewer_for
from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member

router = Router(tags=["handoffs"])

DUE_ORDER = [Key("due_at", kind=dt.datetime), Key("id")]
SENT_ORDER = [Key("sent_at", descending=True, kind=dt.datetime), Key("id", descending=True)]
LISTED = [
    "journey__account",
    "from_member__user",
    "to_member__user",
    "from_stage",
    "to_stage",
    "responded_by__user",
    "return_reason",
]
ANSWER_ERRORS = (400, 401, 403, 404, 409, 422)


def _box(user: User, box: str) -> tuple[QuerySet[Handoff], list[Key]]:
    """The handoffs of an inbox box, with the order the box is read in."""
    member = viewer_for(user).member
    if member is None:
        return Handoff.objects.none(), DUE_ORDER
    handoffs = visible_handoffs(user)
    if box == "sent":
        return handoffs.filter(from_member=member), SENT_ORDER
    waiting = handoffs.filter(status=Handoff.Status.PENDING)
    if box == "team":
        return waiting.filter(to_member__team_id=member.team_id), DUE_ORDER
    return waiting.filter(to_member=member), DUE_ORDER


def _stage(key: str) -> Stage:
    stage = Stage.objects.filter(key=key).first()
    if stage is None:
        raise ValidationError({"to_stage": f"There is no stage {key!r}."})
    return stage


def _member(member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = Member.objects.select_related("user", "team").filter(pk=member_id).first()
    if member is None:
        raise ValidationError({"to_member": f"There is no member {member_id}."})
    return member


def _answers(transition: Transition, answers: dict[str, str]) -> dict[int, str]:
    """The answers by contract item id; each must be an item of this step's contract."""
    by_id = {int(key): answer for key, answer in answers.items()}
    unknown = sorted(set(by_id) - {item.id for item in contract_items(transition)})
    if unknown:
        raise ValidationError(
            {
                "answers": f"The contract from {transition.from_stage.name} to "
                f"{transition.to_stage.name} has no item {', '.join(map(str, unknown[:5]))}."
            }
        )
    return by_id


def _reason(key: str) -> ReturnReason:
    reason = ReturnReason.objects.filter(key=key, is_active=True).first()
    if reason is None:
        raise ValidationError(
            {"reason": f"There is no return reason {key!r} (see GET /handoffs/reasons)."}
        )
    return reason


@router.get("/handoffs", response={200: PageOut[HandoffSummaryOut], **errors(401, 422)})
def list_handoffs(request: HttpRequest, query: Query[HandoffQuery]) -> Page[Handoff]:
    """Your handoff inbox: waiting for you, sent by you, or waiting in your team."""
    handoffs, order = _box(api_user(request), query.box)
    return paginate(handoffs.select_related(*LISTED), order, limit=query.limit, cursor=query.after)


@router.get("/handoffs/reasons", response={200: list[ReasonOut], **errors(401)})
def list_return_reasons(request: HttpRequest) -> QuerySet[ReturnReason]:
    """The reasons a handoff can be returned with."""
    return ReturnReason.objects.filter(is_active=True)


@router.get("/handoffs/{handoff_id}", response={200: HandoffOut, **errors(401, 404, 422)})
def get_handoff(request: HttpRequest, handoff_id: IdPath) -> Handoff:
    """One handoff with its frozen brief, its contract, its SLA and its answer."""
    return get_handoff_for_user(api_user(request), handoff_id)


@router.post("/handoffs/{handoff_id}/accept", response={200: HandoffOut, **errors(*ANSWER_ERRORS)})
def accept(request: HttpRequest, handoff_id: IdPath, data: AcceptIn) -> Handoff:
    """Accept: the journey moves to the handoff's stage and owner. The first
    answer wins; a later one answers 409 saying who answered."""
    user = api_user(request)
    accept_handoff(
        get_handoff_for_user(user, handoff_id),
        by=user,
        rating=data.rating,
        missing=data.missing,
        expected_version=data.expected_version,
    )
    return get_handoff_for_user(user, handoff_id)


@router.post("/handoffs/{handoff_id}/return", response={200: HandoffOut, **errors(*ANSWER_ERRORS)})
def return_to_sender(request: HttpRequest, handoff_id: IdPath, data: ReturnIn) -> Handoff:
    """Return it to its sender with a reason; the journey stays as it was."""
    user = api_user(request)
    handoff = get_handoff_for_user(user, handoff_id)
    return_handoff(
        handoff,
        by=user,
        reason=_reason(data.reason),
        comment=data.comment,
        expected_version=data.expected_version,
    )
    return get_handoff_for_user(user, handoff_id)


@router.post(
    "/journeys/{journey_id}/handoffs",
    response={201: HandoffOut, **errors(400, 401, 403, 404, 422)},
)
def send(request: HttpRequest, journey_id: IdPath, data: HandoffIn) -> Status[Handoff]:
    """Send the journey to the next stage. Missing required contract items
    answer 422 naming them in errors.override_reason, unless you give one."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    check_can_send(user, journey)
    to_stage = _stage(data.to_stage)
    transition = transition_between(journey.stage, to_stage)
    handoff = send_handoff(
        journey,
        by=user,
        to_stage=to_stage,
        to_member=_member(data.to_member),
        answers=_answers(transition, data.answers),
        note=data.note,
        open_questions=data.open_questions,
        override_reason=data.override_reason,
    )
    return Status(201, get_handoff_for_user(user, handoff.pk))


@router.get(
    "/journeys/{journey_id}/transitions", response={200: NextStepsOut, **errors(401, 404, 422)}
)
def next_steps(request: HttpRequest, journey_id: IdPath) -> dict[str, object]:
    """Where the journey can be handed off next: each step's contract (checked
    against the journey now), SLA and possible receivers."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    transitions = list(
        Transition.objects.filter(from_stage=journey.stage)
        .select_related("from_stage", "to_stage", "receiving_team")
        .prefetch_related("items")
    )
    return {
        "journey_id": journey.pk,
        "from_stage": journey.stage,
        "can_send": _can_send(user, journey),
        "pending_handoff_id": Handoff.objects.filter(journey=journey, status=Handoff.Status.PENDING)
        .values_list("pk", flat=True)
        .first(),
        "transitions": _transitions(user, journey, transitions),
    }


def _can_send(user: User, journey: Journey) -> bool:
    try:
        check_can_send(user, journey)
    except NotPermitted:
        return False
    return not journey.is_closed


def _transitions(
    user: User, journey: Journey, transitions: list[Transition]
) -> list[dict[str, object]]:
    if not transitions:
        return []
    facts = journey_facts(journey, user.pk)
    sender = viewer_for(user).member
    receivers = receivers_by_transition(transitions, sender) if sender else {}
    steps = []
    for transition in transitions:
        items = list(transition.items.all())
        specs = [ItemSpec(item.pk, item.label, item.rule, item.required) for item in items]
        results = evaluate(specs, facts, answers={})
        steps.append(
            {
                "to_stage": transition.to_stage,
                "sla_hours": transition.sla_hours,
                "requires_handoff": transition.requires_handoff,
                "receiving_team": transition.receiving_team,
                "items": [
                    {
                        "id": item.pk,
                        "label": item.label,
                        "guidance": item.guidance,
                        "rule": item.rule,
                        "required": item.required,
                        "met": None if item.rule == item.Rule.CONFIRMED else result["met"],
                    }
                    for item, result in zip(items, results, strict=True)
                ],
                # Unavailable members are refused as receivers: leave them out.
                "receivers": [
                    member for member in receivers.get(transition.pk, []) if member.is_available
                ],
            }
        )
    return steps
