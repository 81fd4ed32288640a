"""Repeated discovery on the account page: a need the ledger already knows
from an earlier stage is shown first, then saved as the same need told again
(repeated discovery) or as a different one."""

import pytest
from django.urls import reverse

from onethread.journeys.models import EventKind
from onethread.journeys.services import assign_owner, move_stage
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, stage

pytestmark = pytest.mark.django_db

KNOWN = "Consolidated reporting across all warehouses"
AGAIN = "Consolidated reports across every warehouse"


def in_closing():
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Okafor")
    ae = make_member(Role.AE, team=sdr.team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    known = capture_need(journey, KNOWN, by=sdr.user)
    journey = move_stage(journey, stage("closing"), by=sdr.user)
    journey = assign_owner(journey, ae, by=sdr.user)
    return journey, known, ae


def post_need(client, journey, ae, **extra):
    assert client.login(username=ae.user.username, password=PASSWORD)
    return client.post(
        reverse("capture-need", args=[journey.pk]),
        {"statement": AGAIN, "priority": 2} | extra,
        headers={"HX-Request": "true"},
    )


def test_a_need_known_from_an_earlier_stage_is_shown_first_and_nothing_is_saved(client):
    journey, known, ae = in_closing()
    response = post_need(client, journey, ae)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"Already known from Qualification: <q>{KNOWN}</q>" in html
    assert "captured by Sam Okafor" in html
    assert 'name="repeat" value="same"' in html
    assert "Same need — the customer told us again" in html
    assert 'name="repeat" value="different"' in html
    assert AGAIN in html  # what was typed is kept for the choice
    assert list(Need.objects.filter(journey=journey)) == [known]


def test_choosing_the_same_need_saves_it_as_repeated_discovery(client):
    journey, known, ae = in_closing()
    response = post_need(client, journey, ae, repeat="same")
    assert response.status_code == 200
    again = Need.objects.get(journey=journey, statement=AGAIN)
    event = journey.events.get(kind=EventKind.REPEATED_DISCOVERY)
    assert (event.payload["need_id"], event.payload["repeats_need_id"]) == (again.pk, known.pk)
    assert "Repeated discovery" in response.content.decode()


def test_choosing_a_different_need_saves_it_without_repeated_discovery(client):
    journey, _, ae = in_closing()
    response = post_need(client, journey, ae, repeat="different")
    assert response.status_code == 200
    assert Need.objects.filter(journey=journey, statement=AGAIN).exists()
    assert not journey.events.filter(kind=EventKind.REPEATED_DISCOVERY).exists()


def test_an_unknown_choice_answers_422_and_saves_nothing(client):
    journey, _, ae = in_closing()
    response = post_need(client, journey, ae, repeat="maybe")
    assert response.status_code == 422
    assert Need.objects.filter(journey=journey).count() == 1
