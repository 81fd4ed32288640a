import pytest
from django.core.exceptions import ValidationError

from onethread.customers.services import add_contact, change_contact
from onethread.journeys.models import EventKind
from tests.builders import make_account, make_journey

pytestmark = pytest.mark.django_db


def test_a_contact_is_told_on_the_accounts_journey():
    journey = make_journey()
    contact = add_contact(journey.account, "Dana Scully", by=None, buying_role="champion")
    event = journey.events.get(kind=EventKind.CONTACT_ADDED)
    assert event.payload["contact_id"] == contact.pk
    assert event.payload["buying_role"] == "champion"


def test_a_champion_leaving_is_recorded():
    journey = make_journey()
    contact = add_contact(journey.account, "Dana Scully", by=None, buying_role="champion")
    change_contact(contact, by=None, expected_version=contact.version, is_active=False)
    event = journey.events.get(kind=EventKind.CONTACT_CHANGED)
    assert event.payload["changes"] == {"is_active": [True, False]}


def test_an_account_without_a_journey_still_gets_its_contact():
    account = make_account()
    contact = add_contact(account, "Dana", by=None)
    assert contact.account == account


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": " "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"buying_role": "boss"}, "buying_role"),
    ],
)
def test_invalid_contacts_are_refused(fields, error):
    arguments = {"name": "Dana", **fields}
    with pytest.raises(ValidationError) as refused:
        add_contact(make_account(), arguments.pop("name"), by=None, **arguments)
    assert error in refused.value.message_dict
