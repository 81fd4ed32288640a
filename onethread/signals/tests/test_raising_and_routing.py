import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from onethread.journeys.models import EventKind, JourneyEvent
from onethread.journeys.services import assign_owner, move_stage
from onethread.notifications.models import Notification
from onethread.signals.detectors.base import Candidate
from onethread.signals.models import Kind, Signal
from onethread.signals.raising import raise_signals
from onethread.signals.services import dismiss_signal
from onethread.signals.tests.helpers import NOW
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_team, stage

pytestmark = pytest.mark.django_db


def candidate(journey, kind=Kind.SILENCE, key="silence:journey:1") -> Candidate:
    return Candidate(
        kind=kind,
        detector=kind,
        dedupe_key=key,
        journey_id=journey.pk,
        account_id=journey.account_id,
        score=0.5,
        explanation="Quiet for a while.",
        event_ids=[1, 2],
    )


def test_raising_appends_a_journey_event_with_the_evidence():
    journey = make_journey(owner=make_member(Role.SDR))
    (signal,) = raise_signals([candidate(journey)], now=NOW)
    event = JourneyEvent.objects.get(journey=journey, kind=EventKind.SIGNAL_RAISED)
    assert event.payload["signal_id"] == signal.pk
    assert event.payload["explanation"] == "Quiet for a while."
    assert signal.evidence == {"event_ids": [1, 2], "records": []}


def test_the_same_condition_is_raised_once_even_when_listed_twice_or_run_again():
    journey = make_journey(owner=make_member(Role.SDR))
    raised = raise_signals([candidate(journey), candidate(journey)], now=NOW)
    again = raise_signals([candidate(journey)], now=NOW)
    assert (len(raised), again, Signal.objects.count()) == (1, [], 1)


def test_a_dismissed_condition_is_not_raised_again():
    owner = make_member(Role.SDR)
    journey = make_journey(owner=owner)
    (signal,) = raise_signals([candidate(journey)], now=NOW)
    dismiss_signal(signal, "not_relevant", by=owner.user)
    assert raise_signals([candidate(journey)], now=NOW) == []


def test_the_database_refuses_a_second_open_signal_for_one_condition():
    journey = make_journey(owner=make_member(Role.SDR))
    (signal,) = raise_signals([candidate(journey)], now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signal.objects.create(
            kind=signal.kind,
            detector=signal.detector,
            dedupe_key=signal.dedupe_key,
            explanation="again",
            account=journey.account,
            journey=journey,
        )


def test_risk_goes_to_the_owner_and_their_managers_are_told():
    team = make_team()
    owner = make_member(Role.CSM, team=team)
    manager = make_member(Role.MANAGER, team=team)
    make_member(Role.MANAGER)  # another team's
    journey = make_journey(owner=owner, stage_key="adoption")
    (signal,) = raise_signals([candidate(journey)], now=NOW)
    assert signal.routed_to == owner
    told = set(Notification.objects.filter(kind="signal").values_list("recipient", flat=True))
    assert told == {owner.user_id, manager.user_id}


def test_expansion_before_the_sale_goes_to_the_ae_on_the_account_team():
    team = make_team()
    sdr = make_member(Role.SDR, team=team)
    ae = make_member(Role.AE, team=team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    journey = move_stage(journey, stage("closing"), by=sdr.user)
    journey = assign_owner(journey, ae, by=sdr.user)
    journey = assign_owner(journey, sdr, by=sdr.user)  # back to the SDR: the AE stays seated
    (signal,) = raise_signals([candidate(journey, Kind.CROSS_SELL, "cross_sell:need:1")], now=NOW)
    assert signal.routed_to == ae
    assert not Notification.objects.filter(recipient=sdr.user).exists()


def test_expansion_after_the_sale_goes_to_the_account_manager():
    team = make_team()
    ae = make_member(Role.AE, team=team)
    csm = make_member(Role.CSM, team=team)
    journey = make_journey(owner=ae, stage_key="closing")
    journey = move_stage(journey, stage("onboarding"), by=ae.user, at=NOW - dt.timedelta(days=5))
    journey = assign_owner(journey, csm, by=ae.user)
    (signal,) = raise_signals([candidate(journey, Kind.UPSELL, "upsell:x")], now=NOW)
    assert signal.routed_to == csm


def test_expansion_with_no_seller_on_the_team_goes_to_the_owner():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    (signal,) = raise_signals([candidate(journey, Kind.CROSS_SELL, "cross_sell:need:9")], now=NOW)
    assert signal.routed_to == sdr


def test_a_batch_meeting_a_condition_raised_meanwhile_keeps_the_others():
    from onethread.signals.raising import _raise_batch

    journey = make_journey(owner=make_member(Role.SDR))
    assert len(raise_signals([candidate(journey, key="silence:a")], now=NOW)) == 1
    # As if another worker raised "silence:a" after this run read the known keys:
    raised = _raise_batch(
        [candidate(journey, key="silence:a"), candidate(journey, key="silence:b")], now=NOW
    )
    assert [Signal.objects.get(pk=pk).dedupe_key for pk in raised] == ["silence:b"]
    assert Signal.objects.filter(status="open").count() == 2
    assert JourneyEvent.objects.filter(kind=EventKind.SIGNAL_RAISED).count() == 2
