"""What goes in and out of the handoff endpoints: sending a journey to the
next stage, answering a handoff, and what a client needs to build the send
form. Limits match the services' own (see onethread.handoffs.services)."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictInt, WithJsonSchema

from onethread.api.schemas import MAX_ID, MAX_VERSION, NO_NUL, Input, PageQuery, Ref, StageRef, text
from onethread.handoffs.access import can_answer
from onethread.handoffs.models import ContractItem, Handoff
from onethread.handoffs.services import NOTE_MAX_LENGTH

ANSWER_MAX_LENGTH = 500
MISSING_MAX_LENGTH = 200
# A contract item's id as a JSON object key: digits only, within MAX_ID.
ITEM_KEY = r"^[1-9][0-9]{0,17}$"

ItemKey = Annotated[str, Field(pattern=ITEM_KEY, max_length=18)]
Answer = Annotated[str, Field(max_length=ANSWER_MAX_LENGTH, pattern=NO_NUL)]
MissingItem = Annotated[str, Field(min_length=1, max_length=MISSING_MAX_LENGTH, pattern=NO_NUL)]
# Inline enums: a component named after the class ("Status") would collide
# with other models' choices of the same name in the OpenAPI schema.
HandoffStatus = Annotated[
    Handoff.Status, WithJsonSchema({"type": "string", "enum": list(Handoff.Status.values)})
]
Rule = Annotated[
    ContractItem.Rule, WithJsonSchema({"type": "string", "enum": list(ContractItem.Rule.values)})
]
ExpectedVersion = Annotated[
    StrictInt | None,
    Field(ge=1, le=MAX_VERSION, description="The handoff version you read; 409 when it changed."),
]


# Inputs ---------------------------------------------------------------------


class HandoffQuery(PageQuery):
    box: Literal["received", "sent", "team"] = Field(
        "received",
        description="received: waiting for you, soonest due first; sent: yours, newest "
        "first; team: waiting for anyone in your team, soonest due first.",
    )


class HandoffIn(Input):
    to_stage: str = text(40, min_length=1, description="The key of the next stage.")
    to_member: StrictInt | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The receiver's member id; omit it to let the receiving team's routing choose.",
    )
    answers: dict[ItemKey, Answer] = Field(
        default_factory=dict,
        max_length=50,
        json_schema_extra={"additionalProperties": False},
        description="The sender's answer per contract item id, for the items the sender "
        "confirms (see GET /journeys/{id}/transitions).",
    )
    note: str = text(NOTE_MAX_LENGTH, default="", description="What the receiver should know.")
    open_questions: str = text(NOTE_MAX_LENGTH, default="")
    override_reason: str = text(
        2000,
        default="",
        description="Required when a required contract item is missing: why send anyway.",
    )


class AcceptIn(Input):
    rating: StrictInt = Field(ge=1, le=5, description="How good the handoff was, 1 to 5.")
    missing: list[MissingItem] = Field(
        default_factory=list,
        max_length=20,
        description="What was missing: contract item labels or free text.",
    )
    expected_version: ExpectedVersion = None


class ReturnIn(Input):
    reason: str = text(40, min_length=1, description="A return reason key (GET /handoffs/reasons).")
    comment: str = text(NOTE_MAX_LENGTH, default="")
    expected_version: ExpectedVersion = None


# Outputs --------------------------------------------------------------------


class ReasonOut(Schema):
    key: str
    label: str


class ContractResultOut(Schema):
    item_id: int
    label: str
    rule: Rule
    required: bool
    met: bool
    answer: str = Field(description="The sender's answer, for items the sender confirms.")


class ResponseOut(Schema):
    responded_by: Ref | None
    responded_at: dt.datetime | None
    rating: int | None = Field(description="1 to 5, when accepted.")
    missing: list[str] = Field(description="What the receiver said was missing, when accepted.")
    return_reason: ReasonOut | None
    return_comment: str


class HandoffSummaryOut(Schema):
    id: int
    journey_id: int
    account: Ref
    status: HandoffStatus
    from_member: Ref
    from_stage: StageRef
    to_member: Ref
    to_stage: StageRef
    routed: bool = Field(description="The receiver was chosen by the team's routing rule.")
    sent_at: dt.datetime
    due_at: dt.datetime = Field(description="When the SLA runs out.")
    overdue: bool = Field(description="Still waiting after due_at.")
    completeness: float = Field(description="Share of the contract's items met, 0 to 1.")
    missing_required: list[str] = Field(description="Required items that were not met.")
    response: ResponseOut | None = Field(description="The answer; null while pending.")
    version: int

    @staticmethod
    def resolve_account(handoff: Handoff) -> Any:
        return handoff.journey.account

    @staticmethod
    def resolve_overdue(handoff: Handoff) -> bool:
        return handoff.is_overdue(timezone.now())

    @staticmethod
    def resolve_response(handoff: Handoff) -> dict[str, Any] | None:
        if handoff.is_pending:
            return None
        return {
            "responded_by": handoff.responded_by,
            "responded_at": handoff.responded_at,
            "rating": handoff.rating,
            "missing": handoff.missing_feedback,
            "return_reason": handoff.return_reason,
            "return_comment": handoff.return_comment,
        }


class HandoffOut(HandoffSummaryOut):
    brief: dict[str, Any] = Field(
        description="Frozen at send time: account, journey, needs, commitments, contacts, "
        "risks, interactions, open tickets."
    )
    contract: list[ContractResultOut] = Field(description="The contract, checked at send time.")
    note: str
    open_questions: str
    override_reason: str = Field(description="Why it was sent with required items missing.")
    can_answer: bool = Field(description="You may accept or return it now.")

    @staticmethod
    def resolve_can_answer(handoff: Handoff, context: dict[str, Any]) -> bool:
        return handoff.is_pending and can_answer(context["request"].auth, handoff)


class ContractItemOut(Schema):
    id: int
    label: str
    guidance: str
    rule: Rule
    required: bool
    met: bool | None = Field(
        description="Checked from the journey's records now; null for items the sender "
        "confirms with an answer."
    )


class TransitionOut(Schema):
    to_stage: StageRef
    sla_hours: int
    requires_handoff: bool
    receiving_team: Ref | None = Field(description="Null: the sender's own team receives it.")
    items: list[ContractItemOut]
    receivers: list[Ref] = Field(
        description="Members you can name as to_member: available, in the role that works "
        "the next stage, in the receiving team or yours. Or leave it to routing."
    )


class NextStepsOut(Schema):
    journey_id: int
    from_stage: StageRef
    can_send: bool = Field(description="You may send this journey on.")
    pending_handoff_id: int | None = Field(description="A handoff already waiting, if any.")
    transitions: list[TransitionOut]
