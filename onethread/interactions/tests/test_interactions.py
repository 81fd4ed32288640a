import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onethread.customers.services import add_contact
from onethread.interactions.models import Interaction
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind
from tests.builders import make_account, make_journey

pytestmark = pytest.mark.django_db


def test_an_interaction_names_its_contacts_and_happened_when_it_says():
    journey = make_journey(stage_key="qualification")
    dana = add_contact(journey.account, "Dana Scully", by=None)
    when = timezone.now() - dt.timedelta(days=3)
    interaction = log_interaction(
        journey,
        channel="meeting",
        direction="outbound",
        summary="Demo",
        by=None,
        contacts=[dana],
        occurred_at=when,
    )
    assert list(interaction.contacts.all()) == [dana]
    assert interaction.stage.key == "qualification"
    event = journey.events.get(kind=EventKind.INTERACTION_LOGGED)
    assert event.occurred_at == when
    assert event.payload["contacts"] == ["Dana Scully"]


def test_invalid_interactions_are_refused_with_every_reason():
    journey = make_journey()
    stranger = add_contact(make_account("Other Co"), "Stranger", by=None)
    with pytest.raises(ValidationError) as refused:
        log_interaction(
            journey,
            channel="pigeon",
            direction="sideways",
            summary=" ",
            by=None,
            contacts=[stranger],
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {
        "channel",
        "direction",
        "summary",
        "contacts",
        "occurred_at",
    }
    assert not Interaction.objects.exists()
