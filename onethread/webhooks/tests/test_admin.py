"""Webhooks are configured in the admin; the delivery log there is read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind
from onethread.webhooks.models import Delivery, Webhook
from tests.builders import make_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("ada", "ada@example.com"))
    return client


def test_an_admin_adds_a_webhook_and_sees_its_generated_secret(admin_client):
    response = admin_client.post(
        "/admin/webhooks/webhook/add/",
        {
            "name": "Warehouse",
            "url": "https://warehouse.example.com/onethread",
            "event_types": ["handoff_sent", "stage_entered"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.event_types == ["handoff_sent", "stage_entered"]
    assert len(webhook.secret) == 64
    page = admin_client.get(f"/admin/webhooks/webhook/{webhook.pk}/change/")
    assert webhook.secret in page.content.decode()


def test_only_http_urls_and_known_event_types_are_accepted(admin_client):
    response = admin_client.post(
        "/admin/webhooks/webhook/add/",
        {"name": "Files", "url": "ftp://files.example.com/drop", "event_types": ["need_captured"]},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors
    assert "event_types" in errors
    assert not Webhook.objects.exists()


def test_the_model_refuses_unknown_or_missing_event_types():
    webhook = Webhook(name="Bad", url="https://example.com/hook", event_types=["deal_won"])
    with pytest.raises(ValidationError, match="Unknown event types: deal_won"):
        webhook.full_clean()
    webhook.event_types = []
    with pytest.raises(ValidationError, match="cannot be blank"):
        webhook.full_clean()


def test_the_delivery_log_is_listed_with_filters_and_cannot_be_edited(
    admin_client, django_assert_max_num_queries
):
    journey = make_journey()
    webhook = Webhook.objects.create(
        name="Warehouse", url="https://example.com/hook", event_types=["stage_entered"]
    )
    for _ in range(5):
        record_event(journey, EventKind.STAGE_ENTERED, by=None, occurred_at=None)
    with django_assert_max_num_queries(12):
        listing = admin_client.get("/admin/webhooks/delivery/", {"status__exact": "pending"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 5
    delivery = Delivery.objects.filter(webhook=webhook).first()
    assert delivery is not None
    page = admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    edit = admin_client.post(f"/admin/webhooks/delivery/{delivery.pk}/change/", {})
    assert edit.status_code == 403
    assert admin_client.get("/admin/webhooks/delivery/add/").status_code == 403
