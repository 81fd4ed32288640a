import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onethread.customers.services import add_contact
from onethread.handoffs.models import Handoff
from onethread.handoffs.services import (
    HandoffAnswered,
    accept_handoff,
    flag_overdue_handoffs,
    return_handoff,
    send_handoff,
)
from onethread.journeys.access import NotPermitted, visible_journeys
from onethread.journeys.models import AccountTeamMember, EventKind, Journey
from onethread.needs.services import capture_need
from onethread.notifications.models import Notification
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_team, return_reason, stage, transition

pytestmark = pytest.mark.django_db


def qualified_journey(sdr, **kwargs):
    """A journey in qualification that meets the qualification → closing
    contract except for the two items the sender confirms."""
    journey = make_journey(owner=sdr, stage_key="qualification", **kwargs)
    capture_need(journey, "Carrier costs per shipment", by=sdr.user, priority=2)
    add_contact(journey.account, "Dana Scully", by=sdr.user, buying_role="decision_maker")
    return journey


def answers_for(from_key, to_key):
    items = transition(from_key, to_key).items.filter(rule="confirmed")
    return {item.pk: "Yes: budget 40k, decision in March" for item in items}


def test_sending_freezes_a_brief_and_scores_the_contract():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = qualified_journey(sdr, name="Globex")
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
        note="Hot lead",
        open_questions="Who signs?",
    )
    assert handoff.completeness == 1.0
    assert handoff.missing_required == []
    assert handoff.due_at == handoff.sent_at + dt.timedelta(hours=24)
    assert handoff.brief["account"]["name"] == "Globex"
    assert [need["statement"] for need in handoff.brief["needs"]] == ["Carrier costs per shipment"]
    assert handoff.brief["contacts"][0]["buying_role"] == "Decision maker"
    event = journey.events.get(kind=EventKind.HANDOFF_SENT)
    assert event.payload["to_member_id"] == ae.pk
    assert event.payload["missing"] == []
    assert Notification.objects.get(recipient=ae.user).kind == "handoff_received"
    # The brief is frozen: later changes to the journey do not alter it.
    capture_need(journey, "Something else entirely", by=sdr.user)
    handoff.refresh_from_db()
    assert len(handoff.brief["needs"]) == 1


def test_missing_required_items_need_an_override_reason_which_is_recorded():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    with pytest.raises(ValidationError) as refused:
        send_handoff(journey, by=sdr.user, to_stage=stage("closing"), to_member=ae)
    assert "Decision maker identified" in str(refused.value)
    assert not Handoff.objects.exists()
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        override_reason="Customer asked for a quote today",
    )
    assert handoff.completeness == 0.0
    assert len(handoff.missing_required) == 4
    payload = journey.events.get(kind=EventKind.HANDOFF_SENT).payload
    assert payload["override_reason"] == "Customer asked for a quote today"
    assert len(payload["missing"]) == 4


def test_accepting_moves_stage_and_owner_and_keeps_the_sender_on_the_account_team():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = qualified_journey(sdr)
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
    )
    accept_handoff(handoff, by=ae.user, rating=4, missing=["Budget owner"])
    journey = Journey.objects.get(pk=journey.pk)
    assert (journey.stage.key, journey.owner) == ("closing", ae)
    team = set(
        AccountTeamMember.objects.filter(journey=journey).values_list("member_id", flat=True)
    )
    assert {sdr.pk, ae.pk} <= team
    kinds = list(journey.events.order_by("id").values_list("kind", flat=True))[-4:]
    assert kinds == ["handoff_sent", "handoff_accepted", "stage_entered", "owner_changed"]
    accepted = journey.events.get(kind=EventKind.HANDOFF_ACCEPTED).payload
    assert (accepted["rating"], accepted["missing"]) == (4, ["Budget owner"])
    assert Notification.objects.filter(recipient=sdr.user, kind="handoff_accepted").exists()


def test_returning_sends_it_back_with_the_journey_unchanged():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = qualified_journey(sdr)
    version = Journey.objects.get(pk=journey.pk).version
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
    )
    return_handoff(handoff, by=ae.user, reason=return_reason(), comment="No budget figure")
    journey = Journey.objects.get(pk=journey.pk)
    assert (journey.stage.key, journey.owner, journey.version) == ("qualification", sdr, version)
    payload = journey.events.get(kind=EventKind.HANDOFF_RETURNED).payload
    assert (payload["reason"], payload["comment"]) == ("missing_information", "No budget figure")
    # The sender can send it again.
    again = send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
    )
    assert again.is_pending


@pytest.mark.parametrize(
    "case", ["no_reason", "own_handoff", "stage_does_not_follow", "to_self", "second_answer"]
)
def test_bad_handoff_input_is_refused_and_changes_nothing(case):
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = qualified_journey(sdr)
    answers = answers_for("qualification", "closing")
    if case == "stage_does_not_follow":
        with pytest.raises(ValidationError, match="does not follow"):
            send_handoff(journey, by=sdr.user, to_stage=stage("adoption"), to_member=ae)
        assert not Handoff.objects.exists()
        return
    if case == "to_self":
        with pytest.raises(ValidationError, match="yourself"):
            send_handoff(journey, by=sdr.user, to_stage=stage("closing"), to_member=sdr)
        return
    handoff = send_handoff(
        journey, by=sdr.user, to_stage=stage("closing"), to_member=ae, answers=answers
    )
    events_before = journey.events.count()
    if case == "no_reason":
        with pytest.raises(ValidationError, match="Say why"):
            return_handoff(handoff, by=ae.user, reason=None)
    elif case == "own_handoff":
        with pytest.raises(NotPermitted, match="You sent this handoff"):
            accept_handoff(handoff, by=sdr.user, rating=5)
    elif case == "second_answer":
        accept_handoff(handoff, by=ae.user, rating=5)
        events_before = journey.events.count()
        with pytest.raises(HandoffAnswered, match="already accepted by"):
            return_handoff(handoff, by=ae.user, reason=return_reason())
    handoff.refresh_from_db()
    assert journey.events.count() == events_before
    assert handoff.status == ("accepted" if case == "second_answer" else "pending")


def test_only_the_receiving_side_may_answer():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    outsider = make_member(Role.AE)
    handoff = send_handoff(
        qualified_journey(sdr),
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
    )
    with pytest.raises(NotPermitted):
        accept_handoff(handoff, by=outsider.user, rating=3)
    manager = make_member(Role.MANAGER, team=ae.team)
    accept_handoff(handoff, by=manager.user, rating=3)
    assert Journey.objects.get(pk=handoff.journey_id).owner == ae


def test_a_rating_outside_one_to_five_is_refused():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    handoff = send_handoff(
        qualified_journey(sdr),
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
    )
    with pytest.raises(ValidationError, match="1 to 5"):
        accept_handoff(handoff, by=ae.user, rating=6)
    assert Handoff.objects.get(pk=handoff.pk).is_pending


def test_the_receiver_of_another_team_sees_the_journey_handed_to_them():
    ae = make_member(Role.AE)
    onboarding = make_member(Role.ONBOARDING)
    journey = make_journey(owner=ae, stage_key="closing")
    assert journey not in visible_journeys(onboarding.user)
    send_handoff(
        journey,
        by=ae.user,
        to_stage=stage("onboarding"),
        to_member=onboarding,
        override_reason="Contract signed, details follow",
    )
    assert journey in visible_journeys(onboarding.user)


def test_without_a_named_receiver_the_receiving_team_routes_it():
    ae = make_member(Role.AE)
    cs_team = make_team("Customer success")
    first = make_member(Role.ONBOARDING, team=cs_team)
    second = make_member(Role.ONBOARDING, team=cs_team)
    step = transition("closing", "onboarding")
    step.receiving_team = cs_team
    step.save()
    receivers = []
    for _ in range(4):
        journey = make_journey(owner=ae, stage_key="closing")
        handoff = send_handoff(
            journey, by=ae.user, to_stage=stage("onboarding"), override_reason="test"
        )
        assert handoff.routed
        receivers.append(handoff.to_member)
    assert receivers == [first, second, first, second]


def test_overdue_handoffs_are_flagged_once_for_both_sides_and_their_managers():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    manager = make_member(Role.MANAGER, team=sdr.team)
    sent = timezone.now() - dt.timedelta(hours=30)
    handoff = send_handoff(
        qualified_journey(sdr),
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers_for("qualification", "closing"),
        at=sent,
    )
    assert flag_overdue_handoffs(now=sent + dt.timedelta(hours=23)) == 0
    later = sent + dt.timedelta(hours=25)
    assert handoff.is_overdue(later)
    assert flag_overdue_handoffs(now=later) == 1
    assert flag_overdue_handoffs(now=later + dt.timedelta(hours=1)) == 0
    event = handoff.journey.events.get(kind=EventKind.HANDOFF_OVERDUE)
    assert event.payload["hours_over"] == 1.0
    told = set(
        Notification.objects.filter(kind="handoff_overdue").values_list("recipient", flat=True)
    )
    assert told == {sdr.user.pk, ae.user.pk, manager.user.pk}
