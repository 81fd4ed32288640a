"""/journeys/{id}/notes: notes on the timeline, with @mentions."""

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.notification_schemas import NoteIn
from onethread.api.schemas import EventOut, IdPath
from onethread.api.schemas import error_responses as errors
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.models import JourneyEvent
from onethread.journeys.services import add_note

router = Router(tags=["notes"])


@router.post("/journeys/{journey_id}/notes", response={201: EventOut, **errors(400, 401, 404, 422)})
def create_note(request: HttpRequest, journey_id: IdPath, data: NoteIn) -> Status[JourneyEvent]:
    """Add a note to the timeline. Each @username of a member who can see the
    journey is notified; naming one who cannot see it answers 422."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    event = add_note(journey, data.text, by=user, question=data.question)
    return Status(201, JourneyEvent.objects.select_related("stage", "actor").get(pk=event.pk))
