"""Reference data is read once per process and read again after any write
to it, however the write was made."""

import contextlib

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from onethread.catalogue.models import Product
from onethread.journeys.models import Stage
from onethread.journeys.reference import current_token, reference
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def product_names() -> list[str]:
    return [name for _, name in reference().products]


def test_a_current_copy_costs_one_query(django_assert_num_queries):
    first = reference()
    with django_assert_num_queries(1):
        assert reference() is first


def test_a_new_product_is_seen_at_once():
    reference()
    Product.objects.create(name="Zeppelin hangar")
    assert "Zeppelin hangar" in product_names()


def test_bulk_updates_and_raw_sql_are_seen():
    Product.objects.create(name="Airship")
    assert "Airship" in product_names()
    Product.objects.filter(name="Airship").update(is_active=False)
    assert "Airship" not in product_names()
    table = connection.ops.quote_name(Stage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET name = 'First contact' WHERE key = 'lead'")
    assert "First contact" in [stage.name for stage in reference().stages]


def test_a_renamed_member_is_seen_but_a_login_changes_nothing():
    member = make_member(Role.AE)
    token = current_token()
    User.objects.filter(pk=member.user_id).update(last_login=timezone.now())
    assert current_token() == token
    User.objects.filter(pk=member.user_id).update(first_name="Renamed")
    assert current_token() != token
    assert any(label.startswith("Renamed ") for _, label in reference().member_choices)


def test_a_rolled_back_write_does_not_leave_its_copy_current():
    reference()
    with contextlib.suppress(RolledBack), transaction.atomic():
        Product.objects.create(name="Never sold")
        assert "Never sold" in product_names()
        raise RolledBack
    assert "Never sold" not in product_names()


def test_the_account_page_offers_a_product_added_after_it_was_shown(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    capture_need(journey, "Something to hold balloons", by=sdr.user)  # its form lists products
    assert client.login(username=sdr.user.username, password=PASSWORD)
    page = reverse("account-thread", args=[journey.account_id])
    assert "Brand-new widget" not in client.get(page).content.decode()
    Product.objects.create(name="Brand-new widget")
    assert "Brand-new widget" in client.get(page).content.decode()
