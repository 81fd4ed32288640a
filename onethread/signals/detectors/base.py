"""What every detector shares: the candidate it returns, the journeys it looks
at, and what each account already holds."""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from onethread.deals.models import Deal, DealLineItem
from onethread.journeys.models import EventKind, Journey, JourneyEvent

# Ids per IN (...) list: well under SQLite's limit of bound parameters.
BATCH = 5000
# Dedupe keys per query (one parameter: see listed).
KEY_BATCH = 20_000

# The journeys a detector looks at: None for every open journey; a range of
# journey ids (the full run's slices) is read as a range, not as a list.
Scope = Collection[int] | None


@dataclass(frozen=True)
class Candidate:
    """A condition a detector found; raised as a signal unless its key already
    has one."""

    kind: str
    detector: str
    dedupe_key: str
    journey_id: int
    account_id: int
    score: float
    explanation: str
    event_ids: list[int] = field(default_factory=list)
    records: list[tuple[str, int]] = field(default_factory=list)
    need_id: int | None = None
    product_id: int | None = None

    @property
    def evidence(self) -> dict[str, object]:
        return {"event_ids": self.event_ids, "records": [list(r) for r in self.records]}


def listed(values: Iterable[int] | Iterable[str]) -> RawSQL:
    """Values for `field__in=` as a subquery on one parameter: Django prepares
    each value of an `IN (%s, …)` list in Python, which costs more than the
    lookups for 10,000 journeys of an incremental run."""
    items: list[int | str] = list(values)
    if connection.vendor == "postgresql":
        kind = "text" if items and isinstance(items[0], str) else "bigint"
        return RawSQL(f"SELECT unnest(%s::{kind}[])", [items])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(items)])


def open_journeys(scope: Scope) -> QuerySet[Journey]:
    journeys = Journey.objects.filter(closed_at__isnull=True)
    if isinstance(scope, range) and scope.step == 1:
        journeys = journeys.filter(pk__gte=scope.start, pk__lt=scope.stop)
    elif scope is not None:
        journeys = journeys.filter(pk__in=listed(scope))
    return journeys


def products_held(account_ids: Iterable[int]) -> dict[int, set[int]]:
    """Products each account owns (on a won deal) or is being sold (on an
    open deal)."""
    return products_owned_and_held(account_ids)[1]


def products_owned_and_held(
    account_ids: Iterable[int],
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Products each account owns (on a won deal), and those it owns or is
    being sold (on an open deal): one read of the deal lines."""
    owned: dict[int, set[int]] = defaultdict(set)
    held: dict[int, set[int]] = defaultdict(set)
    ids = list(account_ids)
    for start in range(0, len(ids), BATCH):
        rows = DealLineItem.objects.filter(
            deal__journey__account_id__in=listed(ids[start : start + BATCH]),
            deal__status__in=[Deal.Status.WON, Deal.Status.OPEN],
        ).values_list("deal__journey__account_id", "product_id", "deal__status")
        for account_id, product_id, status in rows:
            held[account_id].add(product_id)
            if status == Deal.Status.WON:
                owned[account_id].add(product_id)
    return owned, held


def events_about(
    kind: EventKind, key: str, records: Collection[tuple[int, int]]
) -> dict[int, list[int]]:
    """The ids of the `kind` events whose payload[key] names each record,
    given as (record id, journey id): read journey by journey on the
    (journey, kind) index, in batches; the payload is matched here, as the
    database would match a JSON number (an `IN` of JSON values costs a
    conversion per value in the SQL)."""
    found: dict[int, list[int]] = defaultdict(list)
    pairs = sorted(set(records), key=lambda pair: pair[1])
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        wanted = {record_id for record_id, _ in chunk}
        rows = (
            JourneyEvent.objects.filter(
                journey_id__in=listed({journey_id for _, journey_id in chunk}), kind=kind
            )
            .order_by("journey_id", "id")
            .values_list("id", f"payload__{key}")
        )
        for event_id, record_id in rows:
            number = isinstance(record_id, int | float) and not isinstance(record_id, bool)
            if number and record_id in wanted:
                found[int(record_id)].append(event_id)
    return found


def signalled(keys: Collection[str]) -> set[str]:
    """The keys that already have a signal: a detector skips the evidence of
    conditions it raised before (raising checks again, under the constraint)."""
    from onethread.signals.models import Signal

    ordered = list(keys)
    found: set[str] = set()
    for start in range(0, len(ordered), KEY_BATCH):
        chunk = listed(ordered[start : start + KEY_BATCH])
        found.update(
            Signal.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    return found


def ratio(value: float, full: float) -> float:
    """A score between 0.1 and 1: how far value goes towards full."""
    if full <= 0:
        return 1.0
    return round(min(max(value / full, 0.1), 1.0), 3)


def days(delta: dt.timedelta) -> int:
    return max(delta.days, 0)
