"""What goes in and out of the notes and notifications endpoints."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, WithJsonSchema

from onethread.api.schemas import MAX_ID, Input, PageQuery, text
from onethread.journeys.services import NOTE_MAX_LENGTH
from onethread.notifications.models import Notification

# Inline: a component named "Kind" could collide with other models' choices.
NotificationKind = Annotated[
    Notification.Kind,
    WithJsonSchema({"type": "string", "enum": list(Notification.Kind.values)}),
]


class NoteIn(Input):
    text: str = text(
        NOTE_MAX_LENGTH,
        min_length=1,
        description="The note; each @username of a member who can see the journey "
        "mentions and notifies them.",
    )
    question: StrictBool = Field(False, description="Ask the mentioned members a question.")


class NotificationQuery(PageQuery):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    text: str
    journey_id: int | None
    url: str = Field(description="Where it leads in the web application (a path).")
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadIn(Input):
    ids: list[Annotated[StrictInt, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=200, description="Your notifications to mark read."
    )
    all: StrictBool = Field(False, description="Mark every unread notification read.")


class ReadOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")
    unread: int = Field(description="How many unread notifications you have left.")
