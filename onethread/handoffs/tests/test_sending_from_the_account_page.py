"""Sending a handoff from the account page: the panel, the override reason,
the pending banner, and bad input that changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.customers.services import add_contact
from onethread.handoffs.models import Handoff
from onethread.handoffs.services import return_handoff, send_handoff
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind, Journey
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, return_reason, stage, transition

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


def sdr_and_ae():
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Okafor")
    ae = make_member(Role.AE, team=sdr.team, first_name="Alex", last_name="Novak")
    return sdr, ae


def qualified(sdr, name="Globex"):
    """In qualification with a need; no decision maker; nothing confirmed."""
    journey = make_journey(owner=sdr, stage_key="qualification", name=name)
    capture_need(journey, "Carrier costs per shipment", by=sdr.user, priority=2)
    return journey


def confirmed_answers():
    step = transition("qualification", "closing")
    return {
        f"answer-{item.pk}": "Budget 40k approved, decision by March"
        for item in step.items.filter(rule="confirmed")
    }


def send_form(ae, **fields):
    return {"to_stage": stage("closing").pk, "to_member": ae.pk if ae else ""} | fields


def test_the_owner_sees_the_send_panel_with_the_contract_evaluated_for_the_journey(client):
    sdr, _ = sdr_and_ae()
    make_member(Role.ONBOARDING, team=sdr.team, first_name="Omar", last_name="Haddad")
    journey = qualified(sdr)
    transition("qualification", "closing")
    login(client, sdr)
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert "Hand off to the next stage" in html
    assert "To Closing" in html
    # Receivers: the AE of the team, not the sender nor another role.
    assert "Alex Novak · Account executive" in html
    assert "Omar Haddad" not in html.split("Hand off to the next stage")[1].split("</select>")[0]
    assert "Route automatically" in html
    # Checked from the journey: a need is there, the decision maker is not.
    assert "At least one need, with its priority" in html
    assert "found on this journey, required" in html
    assert "missing from this journey, required" in html
    assert 'name="override_reason"' in html


def test_someone_who_may_not_send_sees_no_send_panel(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    transition("qualification", "closing")
    login(client, ae)  # same team, not the owner
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert "Hand off to the next stage" not in html


def test_sending_with_required_items_missing_asks_for_an_override_reason(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    transition("qualification", "closing")
    login(client, sdr)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]),
        send_form(ae, note="Warm lead", open_questions="Who signs?"),
        headers=HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Required for the next stage but missing: Decision maker identified" in html
    assert 'aria-invalid="true"' in html
    assert "override-field invalid" in html
    assert "Warm lead" in html  # what was typed is kept
    assert '<details class="handoff-send" id="handoff-send" open>' in html
    assert not Handoff.objects.exists()
    assert not journey.events.filter(kind=EventKind.HANDOFF_SENT).exists()


def test_sending_with_an_override_reason_shows_the_pending_banner_in_place(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    transition("qualification", "closing")
    login(client, sdr)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]),
        send_form(ae, override_reason="They asked for a quote today"),
        headers=HX,
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "outerHTML show:window:top"  # up to the banner
    handoff = Handoff.objects.get(journey=journey)
    assert (handoff.to_member, handoff.override_reason) == (ae, "They asked for a quote today")
    html = response.content.decode()
    assert "Handed off to Alex Novak for Closing" in html
    assert reverse("handoff", args=[handoff.pk]) in html
    assert "Hand off to the next stage" not in html  # one handoff at a time


def test_a_complete_handoff_needs_no_override_and_without_js_redirects(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    add_contact(journey.account, "Dana Scully", by=sdr.user, buying_role="decision_maker")
    login(client, sdr)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]), send_form(ae, **confirmed_answers())
    )
    assert response.status_code == 302
    assert response.url == reverse("account-thread", args=[journey.account_id])
    handoff = Handoff.objects.get(journey=journey)
    assert handoff.completeness == 1.0
    assert handoff.override_reason == ""
    assert {item["answer"] for item in handoff.contract if item["rule"] == "confirmed"} == {
        "Budget 40k approved, decision by March"
    }


def test_routing_automatically_picks_an_ae_of_the_team(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    login(client, sdr)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]),
        send_form(None, override_reason="Testing routing"),
        headers=HX,
    )
    assert response.status_code == 200
    handoff = Handoff.objects.get(journey=journey)
    assert (handoff.to_member, handoff.routed) == (ae, True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to_member": "999999"}, "No such member"),
        ({"to_member": "not-a-number"}, "No such member"),
        ({"to_stage": "999999"}, "No such stage"),
        ("onboarding", "Onboarding does not follow Qualification"),
        ("self", "You cannot hand a journey off to yourself"),
    ],
)
def test_bad_send_input_answers_422_and_changes_nothing(client, fields, message):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    version = Journey.objects.get(pk=journey.pk).version
    events = journey.events.count()
    if fields == "onboarding":
        fields = {"to_stage": stage("onboarding").pk}
    elif fields == "self":
        fields = {"to_member": sdr.pk}
    login(client, sdr)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]),
        send_form(ae, override_reason="Send anyway") | fields,
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Handoff.objects.exists()
    assert journey.events.count() == events
    assert Journey.objects.get(pk=journey.pk).version == version


def test_a_colleague_who_may_not_send_is_refused_with_403(client):
    sdr, ae = sdr_and_ae()
    colleague = make_member(Role.SDR, team=sdr.team)
    journey = qualified(sdr)
    login(client, colleague)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]),
        send_form(ae, override_reason="Mine now"),
        headers=HX,
    )
    assert response.status_code == 403
    assert "or an admin can hand it off" in response.content.decode()
    assert not Handoff.objects.exists()


def test_sending_another_teams_journey_answers_404(client):
    sdr, ae = sdr_and_ae()
    stranger = make_member(Role.SDR)
    journey = qualified(sdr)
    login(client, stranger)
    response = client.post(
        reverse("send-handoff", args=[journey.pk]), send_form(ae, override_reason="x")
    )
    assert response.status_code == 404
    assert not Handoff.objects.exists()


def test_an_overdue_pending_handoff_is_highlighted_on_the_account_page(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        override_reason="Quote today",
        at=timezone.now() - dt.timedelta(hours=27),
    )
    login(client, ae)
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert "handoff-banner overdue" in html
    assert "Overdue by 3 h" in html
    assert "Read the brief, accept or return it" in html


def test_a_returned_handoff_is_shown_to_the_sender_with_the_reason(client):
    sdr, ae = sdr_and_ae()
    journey = qualified(sdr)
    handoff = send_handoff(
        journey, by=sdr.user, to_stage=stage("closing"), to_member=ae, override_reason="Quote"
    )
    return_handoff(handoff, by=ae.user, reason=return_reason(), comment="Who decides?")
    login(client, sdr)
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert "Returned by Alex Novak: Missing information" in html
    assert "Who decides?" in html
    assert "Hand off to the next stage" in html  # and it can be sent again


def test_the_header_shows_speed_to_lead(client):
    sdr, _ = sdr_and_ae()
    opened = timezone.now() - dt.timedelta(days=3)
    touched = make_journey(owner=sdr, name="Touched", at=opened)
    log_interaction(
        touched,
        channel="call",
        direction="outbound",
        summary="Intro call",
        by=sdr.user,
        occurred_at=opened + dt.timedelta(hours=2, minutes=14),
    )
    untouched = make_journey(owner=sdr, name="Untouched", at=opened)
    login(client, sdr)
    html = client.get(reverse("account-thread", args=[touched.account_id])).content.decode()
    assert "first touch after 2 h 14 min" in html
    html = client.get(reverse("account-thread", args=[untouched.account_id])).content.decode()
    assert "no touch yet, lead open for 3 days" in html


def test_the_account_page_query_count_stays_bounded_with_the_send_panel(
    client, django_assert_max_num_queries
):
    sdr, _ = sdr_and_ae()
    for _ in range(8):
        make_member(Role.AE, team=sdr.team)
    small = qualified(sdr, name="Small")
    large = qualified(sdr, name="Large")
    for n in range(15):
        capture_need(large, f"Another need {n}", by=sdr.user)
        add_contact(large.account, f"Person {n}", by=sdr.user, buying_role="champion")
    login(client, sdr)
    client.get(reverse("account-thread", args=[small.account_id]))  # reads the reference data
    with django_assert_max_num_queries(17) as small_queries:
        client.get(reverse("account-thread", args=[small.account_id]))
    with django_assert_max_num_queries(17) as large_queries:
        client.get(reverse("account-thread", args=[large.account_id]))
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)
