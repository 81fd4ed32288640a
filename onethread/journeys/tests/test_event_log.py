import pytest

from onethread.journeys.models import AppendOnlyError, EventKind, JourneyEvent
from onethread.journeys.services import add_note
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_opening_a_journey_logs_opened_and_stage_entered():
    owner = make_member()
    journey = make_journey(owner=owner)
    kinds = list(journey.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.JOURNEY_OPENED, EventKind.STAGE_ENTERED]


def test_events_cannot_be_updated_or_deleted():
    journey = make_journey()
    event = add_note(journey, "Met the CFO", by=None)
    event.payload = {"text": "rewritten"}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        JourneyEvent.objects.filter(pk=event.pk).update(payload={})
    with pytest.raises(AppendOnlyError):
        JourneyEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.payload == {"text": "Met the CFO"}
