"""Cross-sell: an open or unmet need whose category an active catalogue
product addresses, when the account neither owns that product nor is being
sold it. One signal per need, suggesting the first such product by name."""

import datetime as dt
from collections import defaultdict

from onethread.catalogue.models import Product
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.signals.detectors.base import (
    Candidate,
    Scope,
    events_about,
    open_journeys,
    products_held,
    signalled,
)
from onethread.signals.models import Kind

KEY = "cross_sell"
PRIORITY_SCORE = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4}


def products_by_category() -> dict[int, list[tuple[int, str]]]:
    """Active products addressing each category, by name."""
    by_category: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Product.categories.through.objects.filter(product__is_active=True)
        .order_by("product__name")
        .values_list("category_id", "product_id", "product__name")
    )
    for category_id, product_id, name in rows:
        by_category[category_id].append((product_id, name))
    return by_category


def detect(scope: Scope, now: dt.datetime) -> list[Candidate]:
    needs = list(
        Need.objects.filter(
            journey__in=open_journeys(scope),
            status__in=[Need.Status.OPEN, Need.Status.UNMET],
            category__isnull=False,
        ).values_list(
            "pk",
            "journey_id",
            "journey__account_id",
            "journey__account__name",
            "category_id",
            "category__name",
            "priority",
            "status",
            "statement",
        )
    )
    known = signalled([f"cross_sell:need:{row[0]}" for row in needs])
    needs = [row for row in needs if f"cross_sell:need:{row[0]}" not in known]
    if not needs:
        return []
    catalogue = products_by_category()
    held = products_held({row[2] for row in needs})
    captured = events_about(EventKind.NEED_CAPTURED, "need_id", [row[:2] for row in needs])
    found = []
    for row in needs:
        need_id, journey_id, account_id, account, category_id, category = row[:6]
        priority, status, statement = row[6:]
        missing = [
            (pk, name) for pk, name in catalogue.get(category_id, []) if pk not in held[account_id]
        ]
        if not missing:
            continue
        product_id, product = missing[0]
        found.append(
            Candidate(
                kind=Kind.CROSS_SELL,
                detector=KEY,
                dedupe_key=f"cross_sell:need:{need_id}",
                journey_id=journey_id,
                account_id=account_id,
                score=PRIORITY_SCORE.get(priority, 0.5),
                explanation=(
                    f"{account} needs “{statement[:160]}” ({category}, {status}). "
                    f"{product} addresses {category} and {account} does not have it."
                ),
                event_ids=captured.get(need_id, []),
                records=[("need", need_id), ("product", product_id)],
                need_id=need_id,
                product_id=product_id,
            )
        )
    return found
