"""What goes in and out of the training endpoints: playbooks, replays,
replay assignments and shadowings."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt

from onethread.api.schemas import MAX_ID, Input, text
from onethread.training.services import MAX_TAGS, TEXT_MAX

RecordId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
StageKey = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


def _date_string(value: object) -> object:
    # Without this, pydantic would read a bare number as a Unix timestamp.
    if not isinstance(value, str | dt.date):
        raise ValueError("Give a date as YYYY-MM-DD.")
    return value


DateIn = Annotated[dt.date, BeforeValidator(_date_string)]


# Playbooks ------------------------------------------------------------------


class PlaybookIn(Input):
    good_looks_like: str = text(TEXT_MAX, default="", description="What good looks like here.")
    next_stage_needs: str = text(
        TEXT_MAX, default="", description="What the next stage needs from you."
    )


class PlaybookStepOut(Schema):
    id: int
    label: str
    guidance: str
    contract_item_id: int | None


class PlaybookOut(Schema):
    stage: str
    good_looks_like: str
    next_stage_needs: str
    steps: list[PlaybookStepOut]


class StepDoneIn(Input):
    item_id: RecordId = Field(description="The playbook step of the journey's current stage.")
    answer: str = text(
        500,
        default="",
        description="How it was done; required for a step tied to a contract item the "
        "sender confirms, whose answer it fills.",
    )


class StepDoneOut(Schema):
    item_id: int
    journey_id: int
    answer: str
    done_at: dt.datetime


# Replays --------------------------------------------------------------------


class ReplayIn(Input):
    journey_id: RecordId
    title: str = text(200, min_length=1)
    lesson: str = text(TEXT_MAX, min_length=1, description="What to learn from it.")
    tags: list[Annotated[str, text(40)]] = Field([], max_length=MAX_TAGS)


class ReplayOut(Schema):
    id: int
    journey_id: int
    title: str
    tags: list[str]
    lesson: str
    created_at: dt.datetime


class PromiseOut(Schema):
    promise: str
    status: str
    owner: str | None


class ChapterOut(Schema):
    stage: str
    stage_name: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    people: list[str]
    needs: list[str]
    promises: list[PromiseOut]
    next: str


class MomentOut(Schema):
    kind: str
    label: str
    event_id: int
    event_kind: str
    at: dt.datetime
    stage: str
    text: str


class OutcomeOut(Schema):
    stage: str
    at: dt.datetime
    reason: str
    event_id: int


class StoryOut(Schema):
    people: list[str]
    chapters: list[ChapterOut]
    moments: list[MomentOut] = Field(description="Where context was lost, each with its event.")
    outcome: OutcomeOut | None


class ReplayDetailOut(ReplayOut):
    story: StoryOut


class AssignIn(Input):
    member_ids: list[RecordId] = Field([], max_length=100)
    team_ids: list[RecordId] = Field([], max_length=20)


class AssignmentOut(Schema):
    id: int
    replay_id: int
    member_id: int
    assigned_at: dt.datetime
    read_at: dt.datetime | None
    reflection: str
    reflected_at: dt.datetime | None


class ReflectionIn(Input):
    reflection: str = text(TEXT_MAX, min_length=1)


# Shadowings -----------------------------------------------------------------


class ShadowingIn(Input):
    member_id: RecordId
    stage: StageKey
    starts_on: DateIn
    ends_on: DateIn
    journey_ids: list[RecordId] = Field(min_length=1, max_length=50)


class ShadowingNoteOut(Schema):
    text: str
    journey_id: int | None
    written_at: dt.datetime


class ShadowingOut(Schema):
    id: int
    member_id: int
    stage: str
    starts_on: dt.date
    ends_on: dt.date
    journey_ids: list[int]
    notes: list[ShadowingNoteOut]
    reflection: str
    closed_at: dt.datetime | None


class ShadowingNoteIn(Input):
    text: str = text(TEXT_MAX, min_length=1)
    journey_id: RecordId | None = None


class CloseShadowingIn(Input):
    reflection: str = text(TEXT_MAX, min_length=1)
