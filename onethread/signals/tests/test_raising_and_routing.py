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
        [candidate(journey, key="silence:a"), candidate(journey, key="silence:b")], NOW, []
    )
    assert [Signal.objects.get(pk=pk).dedupe_key for pk in raised] == ["silence:b"]
    assert Signal.objects.filter(status="open").count() == 2
    assert JourneyEvent.objects.filter(kind=EventKind.SIGNAL_RAISED).count() == 2


def test_risk_on_a_journey_whose_owner_left_goes_to_the_latest_active_seat():
    team = make_team()
    sdr = make_member(Role.SDR, team=team)
    ae = make_member(Role.AE, team=team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    journey = assign_owner(journey, ae, by=sdr.user)
    ae.user.is_active = False
    ae.user.save(update_fields=["is_active"])
    (signal,) = raise_signals([candidate(journey)], now=NOW)
    assert signal.routed_to == sdr


def _recorded(after_event: int = 0) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """What raising wrote, without the ids: signals, their events (those
    after after_event: events are never deleted), notifications."""
    signals = sorted(
        Signal.objects.values_list(
            "dedupe_key", "kind", "detector", "score", "explanation", "evidence", "journey_id",
            "account_id", "routed_to_id", "need_id", "product_id", "status", "raised_at",
        )
    )  # fmt: skip
    keys = dict(Signal.objects.values_list("pk", "dedupe_key"))
    events = sorted(
        (keys[payload.pop("signal_id")], journey_id, stage_id, occurred_at, sorted(payload.items()))
        for journey_id, stage_id, occurred_at, payload in JourneyEvent.objects.filter(
            kind=EventKind.SIGNAL_RAISED, pk__gt=after_event
        ).values_list("journey_id", "stage_id", "occurred_at", "payload")
    )
    notifications = sorted(
        Notification.objects.filter(kind="signal").values_list(
            "recipient_id", "journey_id", "text", "url", "created_at"
        )
    )
    return signals, events, notifications


def test_raising_a_batch_records_exactly_what_raising_one_by_one_does():
    team = make_team()
    sdr = make_member(Role.SDR, team=team)
    ae = make_member(Role.AE, team=team)
    csm = make_member(Role.CSM, team=team)
    make_member(Role.MANAGER, team=team)
    make_member(Role.MANAGER, team=team)
    lead = make_journey(owner=sdr, stage_key="qualification")
    closing = assign_owner(move_stage(lead, stage("closing"), by=sdr.user), ae, by=sdr.user)
    won = make_journey(owner=ae, stage_key="closing")
    won = move_stage(won, stage("onboarding"), by=ae.user, at=NOW - dt.timedelta(days=5))
    won = assign_owner(won, csm, by=ae.user)
    gone = make_member(Role.SDR)
    orphan = make_journey(owner=gone, stage_key="qualification")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    candidates = [
        candidate(closing, Kind.SILENCE, "silence:closing"),
        candidate(closing, Kind.CROSS_SELL, "cross_sell:need:1"),
        candidate(won, Kind.UPSELL, "upsell:won"),
        candidate(won, Kind.COMMITMENT_OVERDUE, "commitment_overdue:commitment:1"),
        candidate(orphan, Kind.SILENCE, "silence:orphan"),
        candidate(orphan, Kind.CUSTOMERS_LIKE_THIS, "customers_like_this:orphan"),
    ]
    assert len(raise_signals(candidates, now=NOW)) == len(candidates)
    together = _recorded()
    mark = JourneyEvent.objects.latest("pk").pk
    Notification.objects.filter(kind="signal").delete()
    Signal.objects.all().delete()
    for one in candidates:
        assert len(raise_signals([one], now=NOW)) == 1
    assert _recorded(after_event=mark) == together
    assert len(together[2]) > len(candidates)  # managers were told of the risks


def test_more_signals_than_the_summary_threshold_for_one_person_come_as_one_summary():
    from onethread.signals.raising import SUMMARY_OVER

    team = make_team()
    owner = make_member(Role.CSM, team=team)
    manager = make_member(Role.MANAGER, team=team)
    journeys = [make_journey(owner=owner, stage_key="adoption") for _ in range(SUMMARY_OVER)]
    risks = [candidate(j, Kind.SILENCE, f"silence:{j.pk}") for j in journeys]
    risks.append(candidate(journeys[0], Kind.NO_FIRST_VALUE, "no_first_value:x"))
    expansion = candidate(journeys[0], Kind.CROSS_SELL, "cross_sell:need:7")
    assert len(raise_signals([*risks, expansion], now=NOW)) == SUMMARY_OVER + 2
    mine = Notification.objects.get(recipient=owner.user, kind="signal")
    assert mine.journey_id is None
    assert mine.text == (
        f"{SUMMARY_OVER + 2} new signals: {SUMMARY_OVER + 2} for you "
        f"({SUMMARY_OVER} Silence, 1 No first value, 1 Cross-sell)."
    )
    told = Notification.objects.get(recipient=manager.user, kind="signal")
    assert told.text == (
        f"{SUMMARY_OVER + 1} new signals: {SUMMARY_OVER + 1} risks on your team's journeys "
        f"({SUMMARY_OVER} Silence, 1 No first value)."
    )


def test_up_to_the_summary_threshold_each_signal_is_told_on_its_own():
    from onethread.signals.raising import SUMMARY_OVER

    owner = make_member(Role.SDR)
    journeys = [make_journey(owner=owner) for _ in range(SUMMARY_OVER)]
    raise_signals([candidate(j, Kind.SILENCE, f"silence:{j.pk}") for j in journeys], now=NOW)
    told = Notification.objects.filter(recipient=owner.user, kind="signal")
    assert sorted(told.values_list("journey_id", flat=True)) == sorted(j.pk for j in journeys)
    assert all(text.startswith("Silence on ") for text in told.values_list("text", flat=True))
