"""What goes in and out of the API. Every limit the services enforce on shape
(lengths, ranges, choices) is declared here, so it appears in the OpenAPI
schema and a malformed request is refused before it reaches a service."""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.params.functions import Path
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    StrictInt,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from onethread.api.pagination import (
    CURSOR_MAX_LENGTH,
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
)
from onethread.customers.models import BuyingRole
from onethread.interactions.models import Interaction
from onethread.journeys.models import EventKind
from onethread.needs.models import Need

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
# PostgreSQL cannot store NUL characters in text; refuse them everywhere.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0, default: Any = ..., **extra: Any) -> Any:
    return Field(default, min_length=min_length, max_length=max_length, pattern=NO_NUL, **extra)


def _date_time_string(value: object) -> object:
    # Without this, pydantic would read a bare number as a Unix timestamp.
    if not isinstance(value, str | dt.datetime):
        raise ValueError("Give a date-time string in ISO 8601, with its time zone.")
    return value


def _after_1900(value: dt.datetime) -> dt.datetime:
    # Also keeps year-1 times with an offset from overflowing on conversion to UTC.
    try:
        if value.astimezone(dt.UTC).year >= 1900:
            return value
    except OverflowError:
        pass
    raise ValueError("Give a date-time after 1900.")


DateTimeIn = Annotated[
    AwareDatetime, BeforeValidator(_date_time_string), AfterValidator(_after_1900)
]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id.")]


# Errors ---------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Messages per field, when the request named fields that are wrong."
    )


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


# Inputs ---------------------------------------------------------------------


class Input(Schema):
    """Input bodies refuse unknown fields (pydantic already refuses text that
    is not valid Unicode)."""

    model_config = ConfigDict(extra="forbid")


class QueryParams(Schema):
    """Query parameters refuse names the operation does not take, as bodies
    refuse unknown fields: a misspelt filter would otherwise be ignored and
    the answer would look right while listing everything."""

    @model_validator(mode="after")
    def _only_known_names(self, info: ValidationInfo) -> "QueryParams":
        request = (info.context or {}).get("request")
        unknown = sorted(set(request.GET) - set(type(self).model_fields)) if request else []
        if unknown:
            raise PydanticCustomError(
                "unknown_parameter",
                "Unknown query parameter(s) {unknown}; this operation takes {known}.",
                {
                    "unknown": ", ".join(repr(name[:40]) for name in unknown[:5]),
                    "known": ", ".join(type(self).model_fields) or "none",
                },
            )
        return self


class PageQuery(QueryParams):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    after: str | None = Field(
        None,
        max_length=CURSOR_MAX_LENGTH,
        pattern=CURSOR_PATTERN,
        description="The `next` cursor of the previous page.",
    )


class JourneyQuery(PageQuery):
    stage: str | None = text(40, default=None, description="Only journeys in this stage (key).")


class NeedQuery(PageQuery):
    status: Need.Status | None = Field(None, description="Only needs with this status.")


class TimelineQuery(QueryParams):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Events per page.")
    before: str | None = Field(
        None,
        max_length=CURSOR_MAX_LENGTH,
        pattern=CURSOR_PATTERN,
        description="The `next` cursor of the previous page (older events follow).",
    )
    kind: EventKind | None = Field(None, description="Only events of this kind.")
    stage: str | None = text(40, default=None, description="Only events at this stage (key).")


class AccountIn(Input):
    name: str = text(200, min_length=1)
    domain: str = text(200, default="")
    segment: str = text(100, default="")
    employees: StrictInt | None = Field(None, ge=0, le=MAX_VERSION)
    source: str = text(100, default="", description="The channel the customer came from.")


class ContactIn(Input):
    name: str = text(200, min_length=1)
    email: str = text(254, default="")
    phone: str = text(50, default="")
    title: str = text(200, default="")
    buying_role: BuyingRole = BuyingRole.OTHER


class StageMoveIn(Input):
    stage: str = text(40, min_length=1, description="The key of the stage to move to.")
    reason: str = text(2000, default="", description="Required for terminal outcomes.")
    expected_version: StrictInt = Field(
        ge=1, le=MAX_VERSION, description="The journey version the move was decided on."
    )


class NeedIn(Input):
    statement: str = text(2000, min_length=1)
    priority: StrictInt = Field(
        Need.Priority.MEDIUM, ge=1, le=4, description="1 critical, 2 high, 3 medium, 4 low."
    )
    category: str | None = text(100, default=None, description="A category slug.")


class NeedChangeIn(Input):
    version: StrictInt = Field(ge=1, le=MAX_VERSION, description="The version being edited.")
    statement: str | None = text(2000, min_length=1, default=None)
    status: Need.Status | None = None
    priority: StrictInt | None = Field(None, ge=1, le=4)
    category: str | None = text(100, default=None, description="A category slug.")
    product: StrictInt | None = Field(None, ge=1, le=MAX_ID, description="A product id.")


class InteractionIn(Input):
    channel: Interaction.Channel
    direction: Interaction.Direction
    summary: str = text(5000, min_length=1)
    occurred_at: DateTimeIn | None = Field(
        None, description="When it happened (default: now); not in the future."
    )
    contact_ids: list[Annotated[StrictInt, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=20, description="Contacts of this account involved."
    )


# Outputs --------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class StageRef(Schema):
    key: str
    name: str
    kind: str


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    segment: str
    employees: int | None
    created_at: dt.datetime
    journey_id: int | None = Field(
        description="The account's current journey you can see (open first, else latest)."
    )


class ContactOut(Schema):
    id: int
    account_id: int
    name: str
    email: str
    phone: str
    title: str
    buying_role: BuyingRole
    is_active: bool
    created_at: dt.datetime
    version: int


class JourneyOut(Schema):
    id: int
    account: Ref
    stage: StageRef
    owner: Ref | None
    team: Ref
    source: str
    opened_at: dt.datetime
    stage_entered_at: dt.datetime | None
    won_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome_reason: str
    version: int


class EventOut(Schema):
    id: int
    kind: EventKind
    stage: str = Field(description="Key of the stage the journey was in.")
    actor: str | None = Field(description="Who did it; null for imports and the system.")
    occurred_at: dt.datetime | None
    recorded_at: dt.datetime
    payload: dict[str, Any]

    @staticmethod
    def resolve_stage(event: Any) -> str:
        return str(event.stage.key)

    @staticmethod
    def resolve_actor(event: Any) -> str | None:
        return _user_name(event.actor)


class NeedOut(Schema):
    id: int
    journey_id: int
    statement: str
    category: str | None = Field(description="Category slug.")
    priority: int = Field(description="1 critical, 2 high, 3 medium, 4 low.")
    status: Need.Status
    product: Ref | None
    captured_by: str | None
    captured_at_stage: str = Field(description="Key of the stage it was captured at.")
    captured_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_category(need: Any) -> str | None:
        return need.category.slug if need.category else None

    @staticmethod
    def resolve_captured_by(need: Any) -> str | None:
        return _user_name(need.captured_by)

    @staticmethod
    def resolve_captured_at_stage(need: Any) -> str:
        return str(need.captured_at_stage.key)


class InteractionOut(Schema):
    id: int
    journey_id: int
    channel: Interaction.Channel
    direction: Interaction.Direction
    summary: str
    occurred_at: dt.datetime
    stage: str = Field(description="Key of the stage the journey was in.")
    logged_by: str | None
    contact_ids: list[int]

    @staticmethod
    def resolve_stage(interaction: Any) -> str:
        return str(interaction.stage.key)

    @staticmethod
    def resolve_logged_by(interaction: Any) -> str | None:
        return _user_name(interaction.logged_by)

    @staticmethod
    def resolve_contact_ids(interaction: Any) -> list[int]:
        return [contact.pk for contact in interaction.contacts.all()]


def _user_name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())


class PageOut[T](Schema):
    items: list[T]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")
