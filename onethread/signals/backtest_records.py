"""The first-value back-test's sample read from the database: won journeys,
their won deal's details (as the Olist importer stores them), their first
value event after the win, and the last value event recorded (the end of
what is observed). The pure part is in backtest.py."""

import datetime as dt

from django.db.models import F, Max, Min, Q

from onethread.deals.models import Deal
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.signals.backtest import Sample, WonDeal, won_deal


def load_won_journeys(*, now: dt.datetime) -> Sample:
    last = JourneyEvent.objects.filter(
        kind=EventKind.VALUE_RECORDED, occurred_at__lte=now
    ).aggregate(last=Max("occurred_at"))["last"]
    journeys = (
        Journey.objects.filter(won_at__isnull=False, won_at__lte=now)
        .annotate(
            first_value_at=Min(
                "events__occurred_at",
                filter=Q(
                    events__kind=EventKind.VALUE_RECORDED,
                    events__occurred_at__gte=F("won_at"),
                    events__occurred_at__lte=now,
                ),
            )
        )
        .values_list("id", "won_at", "opened_at", "source", "first_value_at")
    )
    details: dict[int, dict[str, object]] = {}
    # The first won deal of each journey: the sale the back-test is about.
    for journey_id, attributes in (
        Deal.objects.filter(status=Deal.Status.WON, journey__won_at__isnull=False)
        .order_by("-close_date", "-id")
        .values_list("journey_id", "attributes")
    ):
        details[journey_id] = attributes or {}
    deals: list[WonDeal] = [
        won_deal(
            won_at=won_at,
            first_contact_at=opened_at,
            origin=source,
            details=details.get(journey_id, {}),
            first_value_at=first_value_at,
        )
        for journey_id, won_at, opened_at, source, first_value_at in journeys
        if won_at is not None  # filtered above; for the type checker
    ]
    return Sample(deals=deals, observed_until=last)
