"""/journeys: one thread per customer, its timeline, and moving its stage."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import (
    EventOut,
    IdPath,
    JourneyOut,
    JourneyQuery,
    PageOut,
    StageMoveIn,
    TimelineQuery,
    error_responses,
)
from onethread.journeys.access import (
    check_can_move_stage,
    get_journey_for_user,
    shadowed_journey_for_user,
    visible_journeys,
)
from onethread.journeys.models import Journey, JourneyEvent, Stage
from onethread.journeys.services import move_stage

router = Router(tags=["journeys"])

JOURNEY_ORDER = [Key("id", descending=True)]
TIMELINE_ORDER = [Key("id", descending=True)]


@router.get("/journeys", response={200: PageOut[JourneyOut], **error_responses(401, 422)})
def list_journeys(request: HttpRequest, query: Query[JourneyQuery]) -> Page[Journey]:
    """The journeys you can see, newest first."""
    journeys = visible_journeys(api_user(request)).select_related(
        "account", "stage", "team", "owner__user"
    )
    if query.stage:
        journeys = journeys.filter(stage__key=query.stage)
    return paginate(journeys, JOURNEY_ORDER, limit=query.limit, cursor=query.after)


@router.get("/journeys/{journey_id}", response={200: JourneyOut, **error_responses(401, 404, 422)})
def get_journey(request: HttpRequest, journey_id: IdPath) -> Journey:
    return _journey_to_read(request, journey_id)


def _journey_to_read(request: HttpRequest, journey_id: int) -> Journey:
    """The journey the user may see, or one they follow in a running shadowing
    (read-only: write handlers use get_journey_for_user)."""
    try:
        return get_journey_for_user(api_user(request), journey_id)
    except Http404:
        return shadowed_journey_for_user(api_user(request), via="api", journey_id=journey_id)


@router.get(
    "/journeys/{journey_id}/timeline",
    response={200: PageOut[EventOut], **error_responses(401, 404, 422)},
)
def journey_timeline(
    request: HttpRequest, journey_id: IdPath, query: Query[TimelineQuery]
) -> Page[JourneyEvent]:
    """Everything that happened to the journey, newest first."""
    journey = _journey_to_read(request, journey_id)
    events = JourneyEvent.objects.filter(journey=journey).select_related("stage", "actor")
    if query.kind:
        events = events.filter(kind=query.kind)
    if query.stage:
        events = events.filter(stage__key=query.stage)
    return paginate(events, TIMELINE_ORDER, limit=query.limit, cursor=query.before, param="before")


@router.post(
    "/journeys/{journey_id}/stage",
    response={200: JourneyOut, **error_responses(400, 401, 403, 404, 409, 422)},
)
def move_journey_stage(request: HttpRequest, journey_id: IdPath, data: StageMoveIn) -> Journey:
    """Move the journey to another stage, or close it with an outcome (give a reason)."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    stage = Stage.objects.filter(key=data.stage).first()
    if stage is None:
        raise ValidationError({"stage": f"There is no stage {data.stage!r}."})
    check_can_move_stage(user, journey, stage)
    moved = move_stage(
        journey, stage, by=user, reason=data.reason, expected_version=data.expected_version
    )
    return get_journey_for_user(user, moved.pk)
