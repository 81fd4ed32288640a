import pytest

from onethread.customers.models import Contact
from onethread.customers.services import add_contact
from onethread.journeys.models import EventKind
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_adding_a_contact_tells_the_journey(api_as):
    member = make_member(Role.SDR)
    journey = make_journey(owner=member)
    response = api_as(member).post(
        f"/accounts/{journey.account_id}/contacts",
        {"name": "Dana Scully", "email": "dana@example.com", "buying_role": "champion"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["buying_role"], body["account_id"]) == (
        "Dana Scully",
        "champion",
        journey.account_id,
    )
    event = journey.events.get(kind=EventKind.CONTACT_ADDED)
    assert event.payload["contact_id"] == body["id"]
    assert event.actor == member.user


def test_an_accounts_contacts_are_listed_by_name_and_retrieved(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    for name in ["Walter Skinner", "Fox Mulder"]:
        add_contact(journey.account, name, by=None)
    api = api_as(member)
    listed = api.get(f"/accounts/{journey.account_id}/contacts").json()["items"]
    assert [contact["name"] for contact in listed] == ["Fox Mulder", "Walter Skinner"]
    response = api.get(f"/contacts/{listed[0]['id']}")
    assert response.status_code == 200
    assert response.json()["name"] == "Fox Mulder"


def test_another_teams_contact_is_not_found(api_as):
    theirs = make_journey(owner=make_member(Role.AE))
    contact = add_contact(theirs.account, "Alex Krycek", by=None)
    api = api_as(make_member(Role.AE))
    assert api.get(f"/contacts/{contact.pk}").status_code == 404
    response = api.post(f"/accounts/{theirs.account_id}/contacts", {"name": "Spy"})
    assert response.status_code == 404
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Dana", "email": "not-an-address"}, "email"),
        ({"name": "Dana", "buying_role": "king"}, "buying_role"),
        ({"name": " "}, "name"),
        ({"email": "dana@example.com"}, "name"),
    ],
)
def test_an_invalid_contact_answers_422_naming_the_field(api_as, body, field):
    member = make_member()
    journey = make_journey(owner=member)
    response = api_as(member).post(f"/accounts/{journey.account_id}/contacts", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Contact.objects.exists()


def test_contact_pages_return_every_contact_once_in_bounded_queries(
    api_as, django_assert_max_num_queries
):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    for number in range(9):
        add_contact(journey.account, f"Contact {number % 4}", by=None)
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"after": cursor} if cursor else {})}
        with django_assert_max_num_queries(3):
            body = api.get(f"/accounts/{journey.account_id}/contacts", **params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(Contact.objects.values_list("pk", flat=True))
