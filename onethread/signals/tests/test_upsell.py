import datetime as dt
from decimal import Decimal

import pytest

from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind
from onethread.journeys.services import move_stage
from onethread.signals.detectors import upsell
from onethread.signals.models import Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, own, product
from onethread.support.services import open_ticket
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def detect():
    run_detectors(now=NOW, detectors={upsell.KEY: upsell.detect})
    return list(Signal.objects.filter(detector=upsell.KEY))


def customer(name="Acme"):
    journey = make_journey(
        owner=make_member(Role.CSM), stage_key="adoption", name=name, at=NOW - 100 * DAY
    )
    core = product("Core", category("Pipeline"))
    own(journey, core)
    return journey


def test_tickets_about_what_a_higher_tier_covers_raise_one_upsell_per_product():
    journey = customer()
    sso = category("Single sign-on")
    enterprise = product("Enterprise tier", sso, tier="enterprise")
    for subject in ("Can we use Okta?", "SSO for contractors"):
        open_ticket(journey, subject, by=None, category=sso, at=NOW - 3 * DAY)
    (signal,) = detect()
    assert (signal.kind, signal.product, signal.account_id) == (
        "upsell",
        enterprise,
        journey.account_id,
    )
    assert "opened 2 tickets about Single sign-on" in signal.explanation
    assert [kind for kind, _ in signal.evidence["records"]] == ["ticket", "ticket", "product"]
    assert detect() == [signal]  # a second run raises no duplicate


@pytest.mark.parametrize("near_miss", ["base_tier", "already_owned", "old_ticket", "prospect"])
def test_ticket_near_misses(near_miss):
    journey = customer()
    sso = category("Single sign-on")
    tier = "base" if near_miss == "base_tier" else "enterprise"
    enterprise = product("Enterprise tier", sso, tier=tier)
    if near_miss == "already_owned":
        own(journey, enterprise)
    if near_miss == "prospect":
        journey = make_journey(owner=make_member(Role.AE), stage_key="closing")
    when = NOW - (200 if near_miss == "old_ticket" else 3) * DAY
    open_ticket(journey, "Can we use Okta?", by=None, category=sso, at=when)
    assert detect() == []


def orders(journey, count, days_ago_from, days_ago_to):
    span = days_ago_from - days_ago_to
    for n in range(count):
        moment = NOW - (days_ago_from - span * n / max(count, 1)) * DAY
        record_event(
            journey, EventKind.VALUE_RECORDED, by=None, occurred_at=moment,
            payload={"amount": "100.00"},
        )  # fmt: skip


def won_journey():
    journey = make_journey(owner=make_member(Role.CSM), stage_key="closing", at=NOW - 200 * DAY)
    return move_stage(journey, stage("onboarding"), by=None, at=NOW - 150 * DAY)


def test_order_volume_growing_past_the_previous_month_raises_an_upsell():
    journey = won_journey()
    orders(journey, 6, 59, 31)
    orders(journey, 12, 29, 1)
    (signal,) = detect()
    assert signal.dedupe_key == f"upsell:volume:journey:{journey.pk}:2026-06"
    assert signal.explanation.startswith("12 value events in the last 30 days against 6")


@pytest.mark.parametrize(("before", "recent"), [(10, 12), (0, 5)])
def test_steady_or_small_volume_raises_nothing(before, recent):
    journey = won_journey()
    orders(journey, before, 59, 31)
    orders(journey, recent, 29, 1)
    assert detect() == []


def test_the_growth_rule_by_amount():
    assert upsell.growing([Decimal(100)] * 10, [Decimal(200)] * 10)
    assert not upsell.growing([Decimal(100)] * 10, [Decimal(120)] * 10)
