from collections import Counter

import pytest
from django.db.models import Count

from onethread.deals.models import Deal
from onethread.imports.olist import import_olist
from onethread.imports.tests.olist_data import OLIST_DIR, needs_olist
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.team.models import Member, Role

pytestmark = [pytest.mark.django_db, needs_olist]


def table_counts() -> dict[str, int]:
    return {
        "journeys": Journey.objects.count(),
        "events": JourneyEvent.objects.count(),
        "deals": Deal.objects.count(),
        "members": Member.objects.count(),
    }


def test_the_olist_funnel_becomes_journeys_and_a_second_run_changes_nothing():
    report = import_olist(OLIST_DIR)
    assert report.committed, report.summary_lines()
    assert report.errors == []

    assert Journey.objects.count() == 8000
    won = Journey.objects.filter(won_at__isnull=False)
    assert won.count() == 842
    assert Counter(Journey.objects.values_list("stage__key", flat=True)) == {
        "lead": 7158,
        "onboarding": 842,
    }
    sdrs = [m for m in Member.objects.all() if m.has_role(Role.SDR)]
    reps = [m for m in Member.objects.all() if m.has_role(Role.AE)]
    assert (len(sdrs), len(reps), len(set(sdrs) & set(reps))) == (32, 22, 13)

    # An empty origin and "unknown" stay two different sources.
    sources = Counter(Journey.objects.values_list("source", flat=True))
    assert (sources[""], sources["unknown"]) == (60, 1099)

    # The data does not say when qualification and closing began: no time is invented.
    untimed = JourneyEvent.objects.filter(kind=EventKind.STAGE_ENTERED, occurred_at__isnull=True)
    assert untimed.filter(payload__to="qualification").count() == 842
    assert untimed.filter(payload__to="closing").count() == 842
    assert not JourneyEvent.objects.filter(
        kind=EventKind.STAGE_ENTERED, payload__to="onboarding", occurred_at__isnull=True
    ).exists()

    # Value after the sale only for the sellers that sold: 380 of the 842.
    values = JourneyEvent.objects.filter(kind=EventKind.VALUE_RECORDED)
    assert values.count() == 5044
    with_value = values.values("journey").annotate(n=Count("id"))
    assert len(with_value) == 380
    assert not values.filter(journey__won_at__isnull=True).exists()
    sample = values.order_by("id").first()
    assert sample is not None
    assert set(sample.payload) >= {"amount", "currency", "category", "order_id"}

    deal = Deal.objects.exclude(attributes__declared_monthly_revenue=None).first()
    assert deal is not None
    assert deal.attributes["declared_monthly_revenue"] != "0.0"
    assert Deal.objects.filter(attributes__declared_monthly_revenue=None).count() == 797
    assert any("won before their first contact" in note for note in report.notes)

    before = table_counts()
    again = import_olist(OLIST_DIR)
    assert again.committed
    assert table_counts() == before
    assert sum(again.created.values()) == 0
    assert sum(again.updated.values()) == 0
