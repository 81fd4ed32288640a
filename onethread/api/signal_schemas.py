"""What goes in and out of the signals and health endpoints."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictInt, WithJsonSchema

from onethread.api.schemas import MAX_VERSION, Input, PageQuery, text
from onethread.signals.models import DismissReason, Kind, Signal

# Inline enums: components named "Kind" or "Status" would collide with others.
SignalKind = Annotated[Kind, WithJsonSchema({"type": "string", "enum": list(Kind.values)})]
SignalStatus = Annotated[
    Signal.Status, WithJsonSchema({"type": "string", "enum": list(Signal.Status.values)})
]
Reason = Annotated[
    DismissReason, WithJsonSchema({"type": "string", "enum": list(DismissReason.values)})
]


class SignalQuery(PageQuery):
    status: SignalStatus | None = Field(None, description="Only signals with this status.")


class RecordRef(Schema):
    type: str = Field(description="need, product, ticket, commitment, handoff or contact.")
    id: int


class SignalOut(Schema):
    id: int
    kind: SignalKind
    detector: str
    score: float = Field(description="0 to 1: how strongly the rule fired.")
    explanation: str
    event_ids: list[int] = Field(description="The journey events that raised it.")
    records: list[RecordRef] = Field(description="The records that raised it.")
    account_id: int
    journey_id: int
    routed_to_id: int | None = Field(description="The member it is routed to.")
    need_id: int | None
    product_id: int | None
    status: SignalStatus
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    dismiss_reason: str
    dismiss_note: str
    deal_id: int | None = Field(description="The expansion deal created by acting on it.")
    version: int

    @staticmethod
    def resolve_event_ids(signal: Signal) -> list[int]:
        return [int(event_id) for event_id in signal.evidence.get("event_ids", [])]

    @staticmethod
    def resolve_records(signal: Signal) -> list[dict[str, object]]:
        return [
            {"type": str(kind), "id": int(pk)} for kind, pk in signal.evidence.get("records", [])
        ]


class ActIn(Input):
    deal_name: str = text(
        200, default="", description="For expansion signals: the deal's name (else a default)."
    )
    task: str = text(
        2000, default="", description="For other signals: the follow-up you take on (required)."
    )
    due_on: dt.date | None = Field(None, description="When the follow-up is due.")
    expected_version: StrictInt | None = Field(
        None, ge=1, le=MAX_VERSION, description="The signal version the decision was made on."
    )


class DismissIn(Input):
    reason: Reason
    note: str = text(2000, default="")
    expected_version: StrictInt | None = Field(
        None, ge=1, le=MAX_VERSION, description="The signal version the decision was made on."
    )


class HealthComponentOut(Schema):
    key: str
    label: str
    score: float = Field(description="0 to 1.")
    weight: int
    contribution: float = Field(description="Points of the 100 this component brings.")
    detail: str


class HealthScoreOut(Schema):
    day: dt.date
    score: float = Field(description="0 to 100.")
    components: list[HealthComponentOut]


class HealthPointOut(Schema):
    day: dt.date
    score: float


class HealthOut(Schema):
    journey_id: int
    latest: HealthScoreOut | None
    history: list[HealthPointOut]
