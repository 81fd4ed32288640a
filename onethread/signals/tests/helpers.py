"""Small builders for the signals tests: catalogue products, ownership (a won
deal), needs. The distinctive data stays in each test."""

import datetime as dt
from decimal import Decimal

from django.utils.text import slugify

from onethread.catalogue.models import Category, Product
from onethread.deals.models import Deal
from onethread.deals.services import LineItem, create_deal, win_deal
from onethread.journeys.models import Journey
from onethread.needs.models import Need
from onethread.needs.services import capture_need

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def category(name: str) -> Category:
    return Category.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]


def product(name: str, *categories: Category, tier: str = "base", active: bool = True) -> Product:
    made = Product.objects.create(
        name=name, tier=tier, list_price=Decimal("1000"), is_active=active
    )
    made.categories.set(categories)
    return made


def own(journey: Journey, *products: Product, status: str = Deal.Status.WON) -> Deal:
    """A deal for the products on the journey, won unless told otherwise."""
    deal = create_deal(
        journey,
        f"Deal {journey.pk}",
        by=None,
        line_items=[LineItem(product=item) for item in products],
        at=NOW - dt.timedelta(days=90),
    )
    if status == Deal.Status.WON:
        deal = win_deal(deal, by=None, expected_version=None, at=NOW - dt.timedelta(days=80))
    return deal


def need(journey: Journey, statement: str, about: Category | None, **fields: object) -> Need:
    captured = capture_need(
        journey, statement, by=None, category=about, at=NOW - dt.timedelta(days=10)
    )
    if fields:
        Need.objects.filter(pk=captured.pk).update(**fields)
        captured.refresh_from_db()
    return captured
