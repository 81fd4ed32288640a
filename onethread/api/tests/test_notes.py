import pytest

from onethread.journeys.models import EventKind, JourneyEvent
from onethread.notifications.models import Notification
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_a_note_goes_on_the_timeline_and_notifies_the_members_it_mentions(api_as):
    sdr = make_member(Role.SDR, username="lena", first_name="Lena", last_name="Petrova")
    ae = make_member(Role.AE, team=sdr.team, username="alex")
    journey = make_journey(owner=sdr, name="Globex")
    response = api_as(sdr).post(
        f"/journeys/{journey.pk}/notes",
        {"text": "  @alex who signs the order?  ", "question": True},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["actor"], body["stage"]) == ("note_added", "Lena Petrova", "lead")
    assert body["payload"]["text"] == "@alex who signs the order?"
    assert body["payload"]["question"] is True
    assert [mention["username"] for mention in body["payload"]["mentions"]] == ["alex"]
    assert JourneyEvent.objects.get(pk=body["id"]).journey == journey
    notification = Notification.objects.get(recipient=ae.user)
    assert notification.text.startswith("Lena Petrova asks you:")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "Hi @omar"}, "text"),  # omar cannot see this journey
        ({"text": "Hi", "question": "yes"}, "question"),
        ({"note": "Hi"}, "text"),
    ],
)
def test_a_note_that_cannot_be_added_answers_422_and_records_nothing(api_as, body, field):
    sdr = make_member(Role.SDR)
    make_member(Role.ONBOARDING, username="omar")
    journey = make_journey(owner=sdr)
    events = journey.events.count()
    response = api_as(sdr).post(f"/journeys/{journey.pk}/notes", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert journey.events.count() == events
    assert not Notification.objects.exists()


def test_a_note_on_another_teams_journey_is_not_found(api_as):
    theirs = make_journey(owner=make_member(Role.AE))
    response = api_as(make_member(Role.AE)).post(f"/journeys/{theirs.pk}/notes", {"text": "Hi"})
    assert response.status_code == 404
    assert not theirs.events.filter(kind=EventKind.NOTE_ADDED).exists()
