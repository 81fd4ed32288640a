import datetime as dt

import pytest

from onethread.deals.models import Deal
from onethread.journeys.services import move_stage
from onethread.signals.health_records import record_health
from onethread.signals.models import Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, need, product
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def cross_sell():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae, stage_key="closing", name="Acme")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    wanted = need(journey, "Board-level reporting", reporting)
    run_detectors(now=NOW)
    return ae, wanted, Signal.objects.get(kind="cross_sell")


def test_my_signals_are_listed_with_their_evidence(api_as, cross_sell):
    ae, wanted, signal = cross_sell
    body = api_as(ae).get("/signals", status="open").json()
    (listed,) = body["items"]
    assert (listed["id"], listed["kind"], listed["need_id"]) == (signal.pk, "cross_sell", wanted.pk)
    assert {"type": "need", "id": wanted.pk} in listed["records"]
    assert len(listed["event_ids"]) == 1
    assert api_as(make_member(Role.AE)).get("/signals").json()["items"] == []


def test_acting_through_the_api_creates_the_expansion_deal(api_as, cross_sell):
    ae, _, signal = cross_sell
    response = api_as(ae).post(f"/signals/{signal.pk}/act", {"deal_name": "Analytics for Acme"})
    assert response.status_code == 200
    body = response.json()
    deal = Deal.objects.get()
    assert (body["status"], body["deal_id"], deal.kind) == ("acted", deal.pk, "expansion")
    again = api_as(ae).post(f"/signals/{signal.pk}/act", {})
    assert again.status_code == 422
    assert "already acted on" in again.json()["detail"]


def test_dismissing_needs_a_known_reason_and_the_right_person(api_as, cross_sell):
    ae, _, signal = cross_sell
    assert api_as(ae).post(f"/signals/{signal.pk}/dismiss", {"reason": "nope"}).status_code == 422
    colleague = make_member(Role.AE, team=ae.team)
    refused = api_as(colleague).post(f"/signals/{signal.pk}/dismiss", {"reason": "bad_timing"})
    assert refused.status_code == 403
    stale = api_as(ae).post(
        f"/signals/{signal.pk}/dismiss", {"reason": "bad_timing", "expected_version": 7}
    )
    assert stale.status_code == 409
    done = api_as(ae).post(f"/signals/{signal.pk}/dismiss", {"reason": "bad_timing"})
    assert (done.status_code, done.json()["dismiss_reason"]) == (200, "bad_timing")


def test_a_signal_outside_your_journeys_is_not_found(api_as, cross_sell):
    _, _, signal = cross_sell
    assert api_as(make_member(Role.AE)).get(f"/signals/{signal.pk}").status_code == 404


def test_the_health_api_gives_the_latest_score_and_its_history(api_as):
    csm = make_member(Role.CSM)
    journey = make_journey(owner=csm, stage_key="closing", at=NOW - 100 * DAY)
    journey = move_stage(journey, stage("onboarding"), by=None, at=NOW - 60 * DAY)
    record_health(now=NOW - DAY)
    record_health(now=NOW)
    body = api_as(csm).get(f"/journeys/{journey.pk}/health").json()
    assert [point["day"] for point in body["history"]] == ["2026-06-01", "2026-05-31"]
    assert len(body["latest"]["components"]) == 5
    assert api_as(make_member(Role.CSM)).get(f"/journeys/{journey.pk}/health").status_code == 404
