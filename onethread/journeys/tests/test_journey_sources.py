import pytest

from onethread.journeys.queries import journey_sources
from tests.builders import make_journey

pytestmark = pytest.mark.django_db


def test_sources_list_every_channel_once_in_order():
    for source in ("website", "referral", "website", "", "events"):
        make_journey(source=source)
    assert journey_sources() == ["", "events", "referral", "website"]


def test_sources_of_an_empty_database_are_none():
    assert journey_sources() == []


def test_sources_stop_at_the_limit():
    for source in ("c", "a", "b"):
        make_journey(source=source)
    assert journey_sources(limit=2) == ["a", "b"]
    assert journey_sources(limit=0) == []


def test_sources_take_one_query_however_many_journeys(django_assert_num_queries):
    for source in ("website", "referral", "partner", "website", "referral"):
        make_journey(source=source)
    with django_assert_num_queries(1):
        assert journey_sources() == ["partner", "referral", "website"]
