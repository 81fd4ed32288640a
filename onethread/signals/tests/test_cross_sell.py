import pytest

from onethread.needs.models import Need
from onethread.notifications.models import Notification
from onethread.signals.detectors import cross_sell
from onethread.signals.models import Kind, Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, need, own, product
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db

ONLY = {cross_sell.KEY: cross_sell.detect}


def detect() -> list[Signal]:
    run_detectors(now=NOW, detectors=ONLY)
    return list(Signal.objects.filter(detector=cross_sell.KEY))


def test_an_open_need_with_no_owned_product_raises_a_cross_sell_for_the_ae():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae, stage_key="closing", name="Acme")
    reporting = category("Reporting")
    analytics = product("Analytics add-on", reporting)
    wanted = need(journey, "Board-level reporting every month", reporting)

    (signal,) = detect()

    assert (signal.kind, signal.need, signal.product) == (Kind.CROSS_SELL, wanted, analytics)
    assert signal.routed_to == ae
    assert "Analytics add-on addresses Reporting" in signal.explanation
    assert signal.evidence["records"] == [["need", wanted.pk], ["product", analytics.pk]]
    assert len(signal.evidence["event_ids"]) == 1
    assert Notification.objects.filter(recipient=ae.user, kind="signal").count() == 1


def test_an_unmet_need_raises_one_too():
    journey = make_journey(owner=make_member(Role.CSM), stage_key="adoption")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    need(journey, "Exports to the warehouse", reporting, status=Need.Status.UNMET)
    assert len(detect()) == 1


@pytest.mark.parametrize(
    "near_miss",
    ["owned", "being_sold", "addressed", "delivered", "no_category", "inactive", "closed"],
)
def test_near_misses_raise_nothing(near_miss):
    journey = make_journey(owner=make_member(Role.AE), stage_key="closing")
    reporting = category("Reporting")
    analytics = product("Analytics add-on", reporting, active=near_miss != "inactive")
    status = {"addressed": Need.Status.ADDRESSED, "delivered": Need.Status.DELIVERED}
    need(
        journey,
        "Board-level reporting",
        None if near_miss == "no_category" else reporting,
        status=status.get(near_miss, Need.Status.OPEN),
    )
    if near_miss == "owned":
        own(journey, analytics)
    if near_miss == "being_sold":
        own(journey, analytics, status="open")
    if near_miss == "closed":
        journey.closed_at = NOW
        journey.save()
    assert detect() == []


def test_a_product_owned_on_an_earlier_journey_of_the_account_counts_as_owned():
    first = make_journey(owner=make_member(Role.AE), stage_key="closing")
    reporting = category("Reporting")
    analytics = product("Analytics add-on", reporting)
    own(first, analytics)
    first.closed_at = NOW
    first.save()
    from onethread.journeys.services import open_journey

    again = open_journey(first.account, team=first.team, by=None, owner=first.owner)
    need(again, "Board-level reporting", reporting)
    assert detect() == []


def test_a_second_run_raises_no_duplicate():
    journey = make_journey(owner=make_member(Role.AE), stage_key="closing")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    need(journey, "Board-level reporting", reporting)
    detect()
    assert len(detect()) == 1
