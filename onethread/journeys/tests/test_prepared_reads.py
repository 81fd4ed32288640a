"""A prepared read is compiled once and gives what its queryset gives, for
every value it is run with."""

import datetime as dt

import pytest
from django.db.models import Count, Q

from onethread.catalogue.models import Category
from onethread.commitments.models import Commitment
from onethread.commitments.services import make_commitment
from onethread.journeys.models import JourneyEvent
from onethread.journeys.prepared import Prepared
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_model_instances_with_their_related_objects_match_the_queryset():
    owner = make_member(Role.AE)
    journeys = [make_journey(owner=owner), make_journey(owner=owner)]
    category = Category.objects.create(name="Reporting")
    capture_need(journeys[0], "Weekly margin report", by=owner.user, category=category)
    capture_need(journeys[0], "Export to the warehouse", by=None)
    capture_need(journeys[1], "Single sign-on", by=owner.user)

    def needs(journey: int):
        return Need.objects.filter(journey_id=journey).select_related(
            "category", "captured_by", "captured_at_stage"
        )

    read = Prepared(needs, journey=int)
    for journey in journeys:
        found = read.objects(journey=journey.pk)
        expected = list(needs(journey.pk))
        assert found == expected
        assert [(n.category, n.captured_by, n.captured_at_stage) for n in found] == [
            (n.category, n.captured_by, n.captured_at_stage) for n in expected
        ]
        assert all(n._state.db == "default" and not n._state.adding for n in found)
    assert read.objects(journey=-1) == []


def test_each_value_lands_where_the_queryset_put_it(django_assert_num_queries):
    """Strings and dates too (SQLite gets dates as text), in any order."""
    owner = make_member(Role.AE)
    journey = make_journey(owner=owner, source="webinar")
    other = make_journey(owner=owner, source="referral")
    make_commitment(journey, "Send the pricing", by=owner.user, due_on=dt.date(2026, 3, 1))
    make_commitment(journey, "Call back", by=owner.user, due_on=dt.date(2026, 5, 1))
    make_commitment(other, "Demo", by=owner.user, due_on=dt.date(2026, 3, 1))

    def due(before: dt.date, source: str, owner: int):
        return (
            Commitment.objects.filter(
                due_on__lt=before, journey__source=source, journey__owner_id=owner
            )
            .order_by("id")
            .values_list("promise", "due_on")
        )

    read = Prepared(due, owner=int, before=dt.date, source=str)
    cases = [
        (dt.date(2026, 4, 1), "webinar"),
        (dt.date(2026, 6, 1), "webinar"),
        (dt.date(2026, 6, 1), "referral"),
        (dt.date(2026, 1, 1), "referral"),
    ]
    for before, source in cases:
        expected = list(due(before, source, owner.pk))
        with django_assert_num_queries(1):
            assert read.rows(before=before, source=source, owner=owner.pk) == expected


def test_annotations_and_converted_values_match_the_queryset():
    owner = make_member(Role.AE)
    journey = make_journey(owner=owner)
    capture_need(journey, "Weekly margin report", by=owner.user)

    def events(journey: int):
        return (
            JourneyEvent.objects.filter(journey_id=journey)
            .annotate(needs=Count("journey__needs", filter=Q(journey__needs__status="open")))
            .order_by("-id")
        )

    found = Prepared(events, journey=int).objects(journey=journey.pk)
    expected = list(events(journey.pk))
    assert [(e.pk, e.kind, e.payload, e.occurred_at, e.needs) for e in found] == [
        (e.pk, e.kind, e.payload, e.occurred_at, e.needs) for e in expected
    ]
    assert isinstance(found[0].payload, dict)
    assert found[0].occurred_at is not None
    assert found[0].occurred_at.tzinfo is not None


def test_the_queryset_is_built_once():
    built = []

    def needs(journey: int):
        built.append(journey)
        return Need.objects.filter(journey_id=journey)

    read: Prepared[Need] = Prepared(needs, journey=int)
    for journey in (1, 2, 3):
        read.rows(journey=journey)
    assert len(built) == 1
    _, params = read.sql(journey=42)
    assert 42 in params
    assert built[0] not in params


def test_a_value_the_queryset_does_not_use_is_refused():
    read: Prepared[JourneyEvent] = Prepared(
        lambda journey, kind: JourneyEvent.objects.filter(journey_id=journey), journey=int, kind=str
    )
    with pytest.raises(ValueError, match="kind"):
        read.rows(journey=1, kind="note_added")


def test_values_of_other_types_are_refused():
    with pytest.raises(TypeError):
        Prepared(lambda ids: Need.objects.filter(pk__in=ids), ids=list)
