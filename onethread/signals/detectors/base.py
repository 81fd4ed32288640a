"""What every detector shares: the candidate it returns, the journeys it looks
at, and what each account already holds."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from onethread.deals.models import Deal, DealLineItem
from onethread.journeys.models import EventKind, Journey, JourneyEvent

# Ids per IN (...) list: well under SQLite's limit of bound parameters.
BATCH = 5000

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


def open_journeys(scope: Scope) -> QuerySet[Journey]:
    journeys = Journey.objects.filter(closed_at__isnull=True)
    if isinstance(scope, range) and scope.step == 1:
        journeys = journeys.filter(pk__gte=scope.start, pk__lt=scope.stop)
    elif scope is not None:
        journeys = journeys.filter(pk__in=list(scope))
    return journeys


def products_held(account_ids: Iterable[int], *, won_only: bool = False) -> dict[int, set[int]]:
    """Products each account owns (on a won deal) or is being sold (on an
    open deal, unless won_only)."""
    statuses = [Deal.Status.WON] if won_only else [Deal.Status.WON, Deal.Status.OPEN]
    held: dict[int, set[int]] = defaultdict(set)
    ids = list(account_ids)
    for start in range(0, len(ids), BATCH):
        rows = DealLineItem.objects.filter(
            deal__journey__account_id__in=ids[start : start + BATCH], deal__status__in=statuses
        ).values_list("deal__journey__account_id", "product_id")
        for account_id, product_id in rows:
            held[account_id].add(product_id)
    return held


def events_about(
    kind: EventKind, key: str, records: Collection[tuple[int, int]]
) -> dict[int, list[int]]:
    """The ids of the `kind` events whose payload[key] names each record,
    given as (record id, journey id): read journey by journey on the
    (journey, kind) index, in batches."""
    found: dict[int, list[int]] = defaultdict(list)
    pairs = sorted(set(records), key=lambda pair: pair[1])
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        rows = JourneyEvent.objects.filter(
            journey_id__in={journey_id for _, journey_id in chunk},
            kind=kind,
            **{f"payload__{key}__in": [record_id for record_id, _ in chunk]},
        ).values_list("id", f"payload__{key}")
        for event_id, record_id in rows:
            found[int(record_id)].append(event_id)
    return found


def signalled(keys: Collection[str]) -> set[str]:
    """The keys that already have a signal: a detector skips the evidence of
    conditions it raised before (raising checks again, under the constraint)."""
    from onethread.signals.models import Signal

    ordered = list(keys)
    found: set[str] = set()
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
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
