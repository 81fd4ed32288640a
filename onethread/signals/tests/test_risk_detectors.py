import datetime as dt

import pytest

from onethread.commitments.services import make_commitment, settle_commitment
from onethread.customers.models import BuyingRole
from onethread.customers.services import add_contact, change_contact
from onethread.handoffs.models import Handoff
from onethread.interactions.services import log_interaction
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.signals.detectors import risk
from onethread.signals.models import Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, need
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def detect(key, rule):
    run_detectors(now=NOW, detectors={key: rule})
    return list(Signal.objects.filter(detector=key))


def journey_at(stage_key="closing", days_ago=3, **kwargs):
    return make_journey(
        owner=make_member(Role.AE), stage_key=stage_key, at=NOW - days_ago * DAY, **kwargs
    )


@pytest.mark.parametrize(("due_in_days", "raised"), [(-2, 1), (0, 0), (3, 0)])
def test_a_promise_past_its_date_is_a_risk(due_in_days, raised):
    journey = journey_at()
    make_commitment(journey, "Send the SSO guide", by=None, due_on=(NOW + due_in_days * DAY).date())
    found = detect("commitment_overdue", risk.commitments)
    assert len(found) == raised
    if raised:
        assert found[0].routed_to == journey.owner
        assert "was due 2 days ago" in found[0].explanation


def test_a_broken_promise_is_a_risk_a_kept_one_is_not():
    journey = journey_at()
    kept = make_commitment(journey, "Kept it", by=None, due_on=(NOW - 5 * DAY).date())
    broke = make_commitment(journey, "Broke it", by=None, due_on=(NOW + 5 * DAY).date())
    settle_commitment(kept, "kept", by=None, expected_version=None, at=NOW - DAY)
    settle_commitment(broke, "broken", by=None, expected_version=None, at=NOW - DAY)
    (found,) = detect("commitment_overdue", risk.commitments)
    assert found.explanation == "The promise “Broke it” was broken."


@pytest.mark.parametrize(("due_hours_ago", "status", "raised"), [
    (5, Handoff.Status.PENDING, 1),
    (-5, Handoff.Status.PENDING, 0),
    (5, Handoff.Status.ACCEPTED, 0),
])  # fmt: skip
def test_a_handoff_past_its_sla_is_a_risk(due_hours_ago, status, raised):
    journey = journey_at()
    Handoff.objects.create(
        journey=journey,
        from_member=journey.owner,
        from_stage=stage("closing"),
        to_member=make_member(Role.ONBOARDING),
        to_stage=stage("onboarding"),
        sent_at=NOW - dt.timedelta(hours=30),
        due_at=NOW - dt.timedelta(hours=due_hours_ago),
        status=status,
    )
    assert len(detect("handoff_overdue", risk.handoffs)) == raised


def test_silence_longer_than_the_stage_norm_is_a_risk():
    quiet = journey_at("closing", days_ago=30)  # closing's norm: 14 days
    log_interaction(
        quiet, channel="call", direction="outbound", summary="Demo", by=None,
        occurred_at=NOW - 20 * DAY,
    )  # fmt: skip
    (found,) = detect("silence", risk.silence)
    assert found.journey_id == quiet.pk
    assert found.explanation == "No interaction for 20 days; in Closing the norm is 14 days."


def test_silence_within_the_norm_is_not():
    talking = journey_at("closing", days_ago=30)
    log_interaction(
        talking, channel="call", direction="outbound", summary="Demo", by=None,
        occurred_at=NOW - 13 * DAY,
    )  # fmt: skip
    journey_at("adoption", days_ago=40)  # adoption's norm: 45 days
    assert detect("silence", risk.silence) == []


def test_a_new_silence_after_talking_again_is_a_new_condition():
    journey = journey_at("lead", days_ago=30)
    detect("silence", risk.silence)
    log_interaction(
        journey, channel="call", direction="outbound", summary="Hello", by=None,
        occurred_at=NOW - 10 * DAY,
    )  # fmt: skip
    assert len(detect("silence", risk.silence)) == 2


def repeat(journey, days_ago):
    record_event(
        journey, EventKind.REPEATED_DISCOVERY, by=None, occurred_at=NOW - days_ago * DAY,
        payload={"need_id": 1},
    )  # fmt: skip


def test_repeated_discovery_twice_is_a_risk_once_is_not(settings):
    once = journey_at()
    twice = journey_at()
    repeat(once, 1)
    repeat(twice, 1)
    repeat(twice, 2)
    (found,) = detect("repeated_discovery", risk.repeated_discovery)
    assert found.journey_id == twice.pk
    assert len(found.evidence["event_ids"]) == 2


@pytest.mark.parametrize(("role", "leaves", "raised"), [
    (BuyingRole.CHAMPION, True, 1),
    (BuyingRole.CHAMPION, False, 0),
    (BuyingRole.USER, True, 0),
])  # fmt: skip
def test_a_champion_leaving_is_a_risk(role, leaves, raised):
    journey = journey_at()
    contact = add_contact(journey.account, "Dana", by=None, buying_role=role)
    if leaves:
        change_contact(contact, by=None, expected_version=None, is_active=False)
    found = detect("champion_left", risk.champion_left)
    assert len(found) == raised
    if raised:
        assert found[0].explanation == "Dana, the champion, has left the account."
        assert len(found[0].evidence["event_ids"]) == 1


def won(days_ago):
    from onethread.journeys.services import move_stage

    journey = journey_at("closing", days_ago=days_ago + 10)
    return move_stage(journey, stage("onboarding"), by=None, at=NOW - days_ago * DAY)


def test_no_first_value_long_after_the_sale_is_a_risk():
    late = won(45)
    (found,) = detect("no_first_value", risk.no_first_value)
    assert found.journey_id == late.pk
    assert found.explanation.startswith("Won 45 days ago and no value delivered yet")


@pytest.mark.parametrize("near_miss", ["recent_sale", "value_recorded", "need_delivered"])
def test_first_value_near_misses(near_miss):
    journey = won(10 if near_miss == "recent_sale" else 45)
    if near_miss == "value_recorded":
        record_event(journey, EventKind.VALUE_RECORDED, by=None, occurred_at=NOW - DAY)
    if near_miss == "need_delivered":
        need(journey, "Go live", None, status=Need.Status.DELIVERED)
    assert detect("no_first_value", risk.no_first_value) == []
