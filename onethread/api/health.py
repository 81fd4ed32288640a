"""/journeys/{id}/health: a journey's health score after the sale, each
component with its contribution, and the history (a score per day)."""

from django.http import HttpRequest
from ninja import Router

from onethread.api.auth import api_user
from onethread.api.schemas import IdPath
from onethread.api.schemas import error_responses as errors
from onethread.api.signal_schemas import HealthOut
from onethread.journeys.access import get_journey_for_user
from onethread.signals.health_records import history

router = Router(tags=["signals"])


@router.get("/journeys/{journey_id}/health", response={200: HealthOut, **errors(401, 404, 422)})
def journey_health(request: HttpRequest, journey_id: IdPath) -> dict[str, object]:
    """The latest health score (null before the sale or before the first
    computation) and up to 90 days of history, newest first."""
    journey = get_journey_for_user(api_user(request), journey_id)
    scores = history(journey.pk)
    return {
        "journey_id": journey.pk,
        "latest": scores[0] if scores else None,
        "history": [{"day": score.day, "score": score.score} for score in scores],
    }
