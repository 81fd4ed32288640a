"""What goes in and out of the shared-goal endpoints."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictFloat, StrictInt, WithJsonSchema

from onethread.api.schemas import Input
from onethread.api.training_schemas import DateIn, RecordId
from onethread.training.goals import MEASURES

MeasureKey = Annotated[
    str,
    Field(min_length=1, max_length=40, description="One of the goal measures."),
    WithJsonSchema({"type": "string", "enum": [measure.key for measure in MEASURES]}),
]


class GoalIn(Input):
    team_id: RecordId | None = Field(
        None, description="Admins name the team; a manager's goals are for their own team."
    )
    member_id: RecordId | None = Field(None, description="A member of the team; none: the team.")
    measure: MeasureKey
    target: Annotated[
        StrictInt | StrictFloat,
        Field(gt=0, lt=100_000_000, description="Percent for shares; 1 to 5 for a rating."),
    ]
    starts_on: DateIn
    ends_on: DateIn


class GoalOut(Schema):
    id: int
    team_id: int
    member_id: int | None
    measure: str
    label: str
    kind: str = Field(description="journey (whole-journey outcome) or stage.")
    unit: str = Field(description="count, percent or rating.")
    target: float
    starts_on: dt.date
    ends_on: dt.date
    set_by_id: int


class GoalProgressOut(Schema):
    goal_id: int
    measure: str
    unit: str
    value: float | None = Field(description="Now, in the unit; null when nothing to measure yet.")
    target: float
    share: float | None = Field(description="value / target, capped at 1.")
    met: bool
    period_start: dt.datetime
    period_end: dt.datetime = Field(description="Exclusive.")
    refreshed_at: dt.datetime | None = Field(description="The insights refresh it was read from.")
