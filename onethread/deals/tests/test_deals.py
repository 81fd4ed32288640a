from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from onethread.catalogue.models import Product
from onethread.deals.models import Deal
from onethread.deals.services import LineItem, create_deal, lose_deal, win_deal
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_a_deal_line_mapped_to_a_need_addresses_it():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae, stage_key="closing")
    need = capture_need(journey, "Multi-site reporting", by=ae.user)
    pro = Product.objects.create(name="Pro plan")
    deal = create_deal(
        journey,
        "Globex - Pro",
        by=ae.user,
        line_items=[LineItem(pro, quantity=3, unit_price=Decimal("400.00"), need=need)],
    )
    assert deal.amount == Decimal("1200.00")
    need.refresh_from_db()
    assert need.status == Need.Status.ADDRESSED
    assert need.product == pro
    kinds = list(journey.events.order_by("id").values_list("kind", flat=True))[-2:]
    assert kinds == [EventKind.DEAL_CREATED, EventKind.NEED_CHANGED]


def test_a_line_cannot_map_another_journeys_need():
    journey = make_journey()
    other_need = capture_need(make_journey(), "SSO", by=None)
    pro = Product.objects.create(name="Pro plan")
    with pytest.raises(ValidationError, match="another journey"):
        create_deal(journey, "Deal", by=None, line_items=[LineItem(pro, need=other_need)])
    assert not Deal.objects.exists()


def test_winning_and_losing_are_final_and_a_loss_needs_a_reason():
    journey = make_journey(stage_key="closing")
    deal = create_deal(journey, "New", by=None, amount=Decimal("100"))
    with pytest.raises(ValidationError, match="why"):
        lose_deal(deal, " ", by=None, expected_version=None)
    deal = win_deal(deal, by=None, expected_version=deal.version)
    assert deal.status == Deal.Status.WON
    with pytest.raises(ValidationError, match="already won"):
        lose_deal(deal, "Changed their mind", by=None, expected_version=None)
    event = journey.events.filter(kind=EventKind.DEAL_CHANGED).get()
    assert event.payload["changes"]["status"] == ["open", "won"]
