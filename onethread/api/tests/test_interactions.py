import datetime as dt

import pytest
from django.utils import timezone

from onethread.customers.services import add_contact
from onethread.interactions.models import Interaction
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db

CALL = {"channel": "call", "direction": "outbound", "summary": "Walked through pricing"}


def log_call(journey, *, occurred_at, by=None, contacts=()):
    return log_interaction(
        journey,
        channel="call",
        direction="outbound",
        summary="Walked through pricing",
        by=by,
        contacts=contacts,
        occurred_at=occurred_at,
    )


def test_logging_an_interaction_appends_one_event(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member, stage_key="closing")
    contact = add_contact(journey.account, "Dana Scully", by=None)
    response = api_as(member).post(
        f"/journeys/{journey.pk}/interactions", {**CALL, "contact_ids": [contact.pk]}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["contact_ids"]) == ("closing", [contact.pk])
    events = journey.events.filter(kind=EventKind.INTERACTION_LOGGED)
    assert [event.payload["interaction_id"] for event in events] == [body["id"]]


def test_interactions_are_listed_latest_first(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    now = timezone.now()
    older = log_call(journey, occurred_at=now - dt.timedelta(days=2))
    newer = log_call(journey, occurred_at=now - dt.timedelta(days=1))
    listed = api_as(member).get(f"/journeys/{journey.pk}/interactions").json()["items"]
    assert [item["id"] for item in listed] == [newer.pk, older.pk]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "telepathy"}, "channel"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"occurred_at": "2020-01-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": 1700000000}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"contact_ids": [9223372036854775808]}, "contact_ids.0"),
        ({"contact_ids": list(range(1, 22))}, "contact_ids"),
    ],
)
def test_an_invalid_interaction_answers_422_naming_the_field(api_as, change, field):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    response = api_as(member).post(f"/journeys/{journey.pk}/interactions", {**CALL, **change})
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Interaction.objects.exists()


def test_contacts_of_another_account_are_refused(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    elsewhere = add_contact(make_journey(owner=member).account, "Fox Mulder", by=None)
    response = api_as(member).post(
        f"/journeys/{journey.pk}/interactions", {**CALL, "contact_ids": [elsewhere.pk]}
    )
    assert response.status_code == 422
    assert "contact_ids" in response.json()["errors"]


def test_interaction_pages_return_every_item_once_in_bounded_queries(
    api_as, django_assert_max_num_queries
):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    contact = add_contact(journey.account, "Dana Scully", by=None)
    same_moment = timezone.now() - dt.timedelta(hours=1)
    for number in range(9):
        log_call(
            journey,
            by=member.user,
            contacts=[contact],
            occurred_at=same_moment - dt.timedelta(minutes=number % 3),
        )
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"after": cursor} if cursor else {})}
        with django_assert_max_num_queries(4):
            body = api.get(f"/journeys/{journey.pk}/interactions", **params).json()
        seen += [item["id"] for item in body["items"]]
        assert all(item["contact_ids"] == [contact.pk] for item in body["items"])
        cursor = body["next"]
        if cursor is None:
            break
    expected = Interaction.objects.order_by("-occurred_at", "-id").values_list("pk", flat=True)
    assert seen == list(expected)
