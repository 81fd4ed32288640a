import pytest

from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, need, product
from onethread.team.models import Role
from onethread.webhooks import subscriptions
from onethread.webhooks.models import Delivery, Webhook
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_a_new_signal_is_delivered_to_webhooks_subscribed_to_it():
    Webhook.objects.create(
        name="Sales ops", url="https://hooks.example.com/x", event_types=["signal_raised"]
    )
    Webhook.objects.create(
        name="Other", url="https://hooks.example.com/y", event_types=["handoff_sent"]
    )
    subscriptions.forget()
    journey = make_journey(owner=make_member(Role.AE), stage_key="closing", name="Acme")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    need(journey, "Board-level reporting", reporting)
    run_detectors(now=NOW)
    (delivery,) = Delivery.objects.all()
    assert delivery.event_type == "signal_raised"
    assert delivery.payload["data"]["kind"] == "cross_sell"
    assert "Analytics add-on" in delivery.payload["data"]["explanation"]
    subscriptions.forget()
