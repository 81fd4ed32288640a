"""Customers like this: among accounts of the same segment and size band, a
product B that accounts owning product A also own far more often than
others (association rule A → B), suggested to an account that owns A and
lacks B. A rule counts when, in the peer group:

- at least MIN_PEERS accounts own something (enough peers to compare);
- at least MIN_BOTH accounts own both A and B (support);
- confidence P(B | A) is at least MIN_CONFIDENCE;
- lift P(B | A) / P(B) is at least MIN_LIFT.

One signal per account and product, from its strongest rule (by lift)."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import permutations

from onethread.catalogue.models import Product
from onethread.deals.models import Deal, DealLineItem
from onethread.signals.detectors.base import Candidate, Scope, open_journeys
from onethread.signals.models import Kind

KEY = "customers_like_this"
MIN_PEERS = 5
MIN_BOTH = 3
MIN_CONFIDENCE = 0.5
MIN_LIFT = 1.2
SIZE_BANDS = ((1, 49, "1-49"), (50, 249, "50-249"), (250, 999, "250-999"))


def size_band(employees: int | None) -> str:
    if employees is None:
        return "unknown size"
    for low, high, label in SIZE_BANDS:
        if low <= employees <= high:
            return f"{label} employees"
    return "1,000+ employees" if employees >= 1000 else "unknown size"


@dataclass(frozen=True)
class Rule:
    given: int
    then: int
    peers: int  # accounts in the group that own anything
    both: int
    confidence: float
    lift: float


def rules(baskets: Mapping[int, frozenset[int]]) -> dict[tuple[int, int], Rule]:
    """The association rules A → B of one peer group that pass the thresholds."""
    owning = [basket for basket in baskets.values() if basket]
    peers = len(owning)
    if peers < MIN_PEERS:
        return {}
    single: Counter[int] = Counter(product for basket in owning for product in basket)
    pairs: Counter[tuple[int, int]] = Counter(
        pair for basket in owning for pair in permutations(sorted(basket), 2)
    )
    found = {}
    for (given, then), both in pairs.items():
        if both < MIN_BOTH:
            continue
        confidence = both / single[given]
        lift = confidence / (single[then] / peers)
        if confidence >= MIN_CONFIDENCE and lift >= MIN_LIFT:
            found[(given, then)] = Rule(given, then, peers, both, confidence, round(lift, 2))
    return found


def suggestions(owned: frozenset[int], group_rules: Mapping[tuple[int, int], Rule]) -> list[Rule]:
    """For one account, the strongest rule towards each product it lacks."""
    best: dict[int, Rule] = {}
    for (given, then), rule in group_rules.items():
        stronger = then not in best or rule.lift > best[then].lift
        if given in owned and then not in owned and stronger:
            best[then] = rule
    return sorted(best.values(), key=lambda rule: (-rule.lift, rule.then))


def holdings() -> tuple[dict[tuple[str, str], dict[int, set[int]]], dict[int, set[int]]]:
    """Every account's won products, grouped by peer group (segment, size
    band), and what every account holds (won or on an open deal): one read
    of the deal lines."""
    groups: dict[tuple[str, str], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    held: dict[int, set[int]] = defaultdict(set)
    rows = DealLineItem.objects.filter(
        deal__status__in=[Deal.Status.WON, Deal.Status.OPEN]
    ).values_list(
        "deal__journey__account_id",
        "deal__journey__account__segment",
        "deal__journey__account__employees",
        "deal__status",
        "product_id",
    )
    for account_id, segment, employees, status, product_id in rows.iterator(10_000):
        held[account_id].add(product_id)
        if status == Deal.Status.WON:
            groups[(segment, size_band(employees))][account_id].add(product_id)
    return groups, held


def detect(scope: Scope, now: dt.datetime) -> list[Candidate]:
    targets = list(
        open_journeys(scope).values_list(
            "account_id", "pk", "account__name", "account__segment", "account__employees"
        )
    )
    if not targets:
        return []
    groups, held = holdings()
    wanted = {(segment, size_band(employees)) for *_, segment, employees in targets}
    group_rules = {
        group: rules({pk: frozenset(basket) for pk, basket in groups[group].items()})
        for group in wanted
        if group in groups
    }
    names = dict(Product.objects.filter(is_active=True).values_list("pk", "name"))
    found = []
    for account_id, journey_id, name, segment, employees in targets:
        band = size_band(employees)
        mine = frozenset(groups.get((segment, band), {}).get(account_id, ()))
        for rule in suggestions(mine, group_rules.get((segment, band), {})):
            if rule.then in held.get(account_id, ()) or rule.then not in names:
                continue
            found.append(
                Candidate(
                    kind=Kind.CUSTOMERS_LIKE_THIS,
                    detector=KEY,
                    dedupe_key=f"customers_like_this:account:{account_id}:product:{rule.then}",
                    journey_id=journey_id,
                    account_id=account_id,
                    score=round(min(rule.confidence * min(rule.lift / 2, 1.0), 1.0), 3),
                    explanation=(
                        f"{rule.both} of the {round(rule.both / rule.confidence)} "
                        f"{segment or 'unsegmented'} accounts of {band} that own "
                        f"{names.get(rule.given, 'a product')} also own {names[rule.then]} "
                        f"({rule.confidence:.0%}, {rule.lift} times the {rule.peers}-account "
                        f"group's rate); {name} does not."
                    ),
                    records=[("product", rule.given), ("product", rule.then)],
                    product_id=rule.then,
                )
            )
    return found
