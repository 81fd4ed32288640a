"""Upsell, two rules on customers (accounts that own a product):

- tickets of the last TICKET_WINDOW whose category a higher-tier or add-on
  product addresses (tier in UPSELL_TIERS) that the account does not hold:
  one signal per account and product;
- value events (orders, usage) of the last VOLUME_WINDOW at least
  VOLUME_GROWTH times those of the window before, with at least VOLUME_MIN
  events: the customer is outgrowing what it bought. One signal per journey
  and month."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from onethread.catalogue.models import Product
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.signals.detectors.base import (
    Candidate,
    Scope,
    open_journeys,
    products_owned_and_held,
    ratio,
)
from onethread.signals.models import Kind
from onethread.support.models import Ticket

KEY = "upsell"
UPSELL_TIERS = frozenset({"pro", "premium", "enterprise", "plus", "add-on", "addon"})
TICKET_WINDOW = dt.timedelta(days=90)
VOLUME_WINDOW = dt.timedelta(days=30)
VOLUME_GROWTH = 1.5
VOLUME_MIN = 10


def higher_tiers() -> dict[int, list[tuple[int, str, str]]]:
    """Per category, the active higher-tier and add-on products addressing it."""
    by_category: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    rows = (
        Product.categories.through.objects.filter(product__is_active=True)
        .order_by("product__name")
        .values_list("category_id", "product_id", "product__name", "product__tier")
    )
    for category_id, product_id, name, tier in rows:
        if tier.strip().lower() in UPSELL_TIERS:
            by_category[category_id].append((product_id, name, tier))
    return by_category


def from_tickets(scope: Scope, now: dt.datetime) -> list[Candidate]:
    tickets = list(
        Ticket.objects.filter(
            journey__in=open_journeys(scope),
            category__isnull=False,
            opened_at__gte=now - TICKET_WINDOW,
            opened_at__lte=now,
        )
        .order_by("opened_at", "pk")
        .values_list(
            "pk", "journey_id", "journey__account_id", "journey__account__name",
            "category_id", "category__name", "subject",
        )
    )  # fmt: skip
    tiers = higher_tiers()
    if not tickets or not tiers:
        return []
    owned, held = products_owned_and_held({row[2] for row in tickets})
    grouped: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
    where: dict[int, tuple[int, str]] = {}
    names: dict[int, tuple[str, str]] = {}
    for ticket_id, journey_id, account_id, account, category_id, category, subject in tickets:
        if not owned[account_id]:
            continue  # not a customer yet: nothing to upgrade
        for product_id, product, tier in tiers.get(category_id, []):
            if product_id not in held[account_id]:
                grouped[(account_id, product_id)].append((ticket_id, subject, category))
                where[account_id] = (journey_id, account)
                names[product_id] = (product, tier)
    found = []
    for (account_id, product_id), asked in grouped.items():
        journey_id, account = where[account_id]
        product, tier = names[product_id]
        subjects = "; ".join(f"“{subject[:80]}”" for _, subject, _ in asked[:3])
        found.append(
            Candidate(
                kind=Kind.UPSELL,
                detector=KEY,
                dedupe_key=f"upsell:account:{account_id}:product:{product_id}",
                journey_id=journey_id,
                account_id=account_id,
                score=ratio(0.4 + 0.2 * len(asked), 1.0),
                explanation=(
                    f"{account} opened {len(asked)} ticket{'s' if len(asked) > 1 else ''} "
                    f"about {asked[0][2]} ({subjects}); {product} ({tier}) covers it and "
                    f"{account} does not have it."
                ),
                records=[("ticket", ticket_id) for ticket_id, _, _ in asked]
                + [("product", product_id)],
                product_id=product_id,
            )
        )
    return found


def amount(payload: dict[str, object]) -> Decimal:
    try:
        return Decimal(str(payload.get("amount") or 0))
    except InvalidOperation:
        return Decimal(0)


def growing(before: list[Decimal], recent: list[Decimal]) -> bool:
    """Pure rule: enough recent value events, and VOLUME_GROWTH times the
    previous window's, by count or by amount."""
    if len(recent) < VOLUME_MIN:
        return False
    by_count = len(recent) >= VOLUME_GROWTH * max(len(before), 1)
    by_amount = sum(recent) >= Decimal(str(VOLUME_GROWTH)) * max(sum(before), Decimal(1))
    return by_count or by_amount


def from_volume(scope: Scope, now: dt.datetime) -> list[Candidate]:
    start = now - 2 * VOLUME_WINDOW
    rows = JourneyEvent.objects.filter(
        journey__in=open_journeys(scope).filter(won_at__isnull=False),
        kind=EventKind.VALUE_RECORDED,
        occurred_at__gte=start,
        occurred_at__lt=now,
    ).values_list("id", "journey_id", "journey__account_id", "occurred_at", "payload")
    windows: dict[tuple[int, int], tuple[list[Decimal], list[Decimal], list[int]]] = {}
    for event_id, journey_id, account_id, occurred_at, payload in rows.iterator(chunk_size=5000):
        before, recent, ids = windows.setdefault((journey_id, account_id), ([], [], []))
        if occurred_at is not None and occurred_at >= now - VOLUME_WINDOW:
            recent.append(amount(payload))
            ids.append(event_id)
        else:
            before.append(amount(payload))
    found = []
    for (journey_id, account_id), (before, recent, ids) in windows.items():
        if not growing(before, recent):
            continue
        found.append(
            Candidate(
                kind=Kind.UPSELL,
                detector=KEY,
                dedupe_key=f"upsell:volume:journey:{journey_id}:{now:%Y-%m}",
                journey_id=journey_id,
                account_id=account_id,
                score=ratio(len(recent), 3 * max(len(before), 1)),
                explanation=(
                    f"{len(recent)} value events in the last {VOLUME_WINDOW.days} days against "
                    f"{len(before)} in the {VOLUME_WINDOW.days} before: the customer is "
                    "outgrowing what it bought."
                ),
                event_ids=sorted(ids)[-20:],
            )
        )
    return found


def detect(scope: Scope, now: dt.datetime) -> list[Candidate]:
    return from_tickets(scope, now) + from_volume(scope, now)
