import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onethread.deals.models import Deal
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.needs.models import Need
from onethread.signals.models import FollowUp, Signal
from onethread.signals.runner import run_detectors
from onethread.signals.services import act_on_signal, dismiss_signal
from onethread.signals.tests.helpers import NOW, category, need, product
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def cross_sell_signal():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae, stage_key="closing", name="Acme")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    wanted = need(journey, "Board-level reporting", reporting)
    run_detectors(now=NOW)
    return ae, wanted, Signal.objects.get(kind="cross_sell")


def test_acting_on_a_cross_sell_creates_an_expansion_deal_linked_to_the_signal_and_need():
    ae, wanted, signal = cross_sell_signal()
    signal = act_on_signal(signal, by=ae.user, at=NOW)
    deal = signal.deal
    assert deal is not None
    assert (signal.status, deal.kind, deal.name) == (
        Signal.Status.ACTED,
        Deal.Kind.EXPANSION,
        "Analytics add-on for Acme",
    )
    (line,) = deal.line_items.all()
    assert (line.need, line.product) == (wanted, signal.product)
    wanted.refresh_from_db()
    assert wanted.status == Need.Status.ADDRESSED
    event = JourneyEvent.objects.get(kind=EventKind.SIGNAL_ACTED)
    assert event.payload["deal_id"] == deal.pk
    assert event.payload["need_id"] == wanted.pk


def test_acting_on_a_risk_creates_a_follow_up_for_whoever_acts():
    owner = make_member(Role.SDR)
    make_journey(owner=owner, at=NOW - dt.timedelta(days=40))
    run_detectors(now=NOW)
    signal = Signal.objects.get(kind="silence")
    with pytest.raises(ValidationError):
        act_on_signal(signal, by=owner.user, task="  ")
    act_on_signal(signal, by=owner.user, task="Call them this week", due_on=NOW.date())
    follow_up = FollowUp.objects.get()
    assert (follow_up.owner, follow_up.text, follow_up.signal_id) == (
        owner,
        "Call them this week",
        signal.pk,
    )


def test_dismissing_needs_a_known_reason_and_is_recorded():
    ae, _, signal = cross_sell_signal()
    with pytest.raises(ValidationError):
        dismiss_signal(signal, "because", by=ae.user)
    dismiss_signal(signal, "bad_timing", by=ae.user, note="Budget frozen until Q3")
    signal.refresh_from_db()
    assert (signal.status, signal.dismiss_reason, signal.dismiss_note) == (
        Signal.Status.DISMISSED,
        "bad_timing",
        "Budget frozen until Q3",
    )
    assert JourneyEvent.objects.filter(kind=EventKind.SIGNAL_DISMISSED).count() == 1


def test_a_settled_signal_cannot_be_settled_again():
    ae, _, signal = cross_sell_signal()
    dismiss_signal(signal, "bad_timing", by=ae.user)
    with pytest.raises(ValidationError, match="already dismissed"):
        act_on_signal(signal, by=ae.user)
    assert not Deal.objects.exists()
