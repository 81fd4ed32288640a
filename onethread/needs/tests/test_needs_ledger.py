import pytest
from django.core.exceptions import ValidationError

from onethread.catalogue.models import Category, Product
from onethread.journeys.editing import EditConflict
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.needs.services import capture_need, change_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_a_need_remembers_who_captured_it_and_at_which_stage():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    reporting = Category.objects.create(name="Reporting", slug="reporting")
    need = capture_need(
        journey, "  One report for all sites ", by=sdr.user, category=reporting, priority=1
    )
    assert need.statement == "One report for all sites"
    assert need.captured_by == sdr.user
    assert need.captured_at_stage.key == "qualification"
    assert need.status == Need.Status.OPEN
    event = journey.events.get(kind=EventKind.NEED_CAPTURED)
    assert event.payload == {
        "need_id": need.pk,
        "statement": "One report for all sites",
        "category": "reporting",
        "priority": "Critical",
    }


def test_an_empty_need_is_refused():
    journey = make_journey()
    with pytest.raises(ValidationError):
        capture_need(journey, "   ", by=None)
    assert not Need.objects.exists()


def test_a_need_moves_open_to_addressed_to_delivered_and_the_log_keeps_each_step():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    product = Product.objects.create(name="Pro plan")
    need = capture_need(journey, "SSO", by=sdr.user)
    need = change_need(
        need, by=sdr.user, expected_version=need.version, status="addressed", product=product
    )
    need = change_need(need, by=sdr.user, expected_version=need.version, status="delivered")
    changes = [
        event.payload["changes"]
        for event in journey.events.filter(kind=EventKind.NEED_CHANGED).order_by("id")
    ]
    assert changes == [
        {"status": ["open", "addressed"], "product": [None, "Pro plan"]},
        {"status": ["addressed", "delivered"]},
    ]


def test_a_delivered_need_cannot_be_reopened():
    journey = make_journey()
    need = capture_need(journey, "SSO", by=None)
    need = change_need(need, by=None, expected_version=None, status="addressed")
    need = change_need(need, by=None, expected_version=None, status="delivered")
    with pytest.raises(ValidationError, match="cannot become"):
        change_need(need, by=None, expected_version=None, status="open")


def test_two_people_editing_the_same_need_never_overwrite_each_other():
    journey = make_journey()
    need = capture_need(journey, "SSO", by=None)
    seen = need.version
    change_need(need, by=None, expected_version=seen, priority=1)
    with pytest.raises(EditConflict, match="changed by someone else"):
        change_need(need, by=None, expected_version=seen, priority=4)
    need.refresh_from_db()
    assert need.priority == 1
    assert journey.events.filter(kind=EventKind.NEED_CHANGED).count() == 1


def test_a_change_that_changes_nothing_is_refused():
    journey = make_journey()
    need = capture_need(journey, "SSO", by=None, priority=3)
    with pytest.raises(ValidationError, match="Nothing changed"):
        change_need(need, by=None, expected_version=need.version, priority=3)
