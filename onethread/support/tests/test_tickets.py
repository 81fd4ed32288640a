import pytest
from django.core.exceptions import ValidationError

from onethread.journeys.models import EventKind
from onethread.needs.services import capture_need
from onethread.support.models import Ticket
from onethread.support.services import open_ticket, resolve_ticket
from tests.builders import make_journey

pytestmark = pytest.mark.django_db


def test_a_ticket_can_point_at_the_need_it_is_about_and_is_resolved_once():
    journey = make_journey(stage_key="onboarding")
    need = capture_need(journey, "Export to SAP", by=None)
    ticket = open_ticket(journey, "SAP export fails", by=None, need=need, priority=1)
    assert ticket.need == need
    ticket = resolve_ticket(ticket, by=None, expected_version=ticket.version)
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolved_at is not None
    kinds = list(journey.events.order_by("id").values_list("kind", flat=True))[-2:]
    assert kinds == [EventKind.TICKET_OPENED, EventKind.TICKET_CHANGED]
    with pytest.raises(ValidationError, match="already resolved"):
        resolve_ticket(ticket, by=None, expected_version=None)


def test_a_ticket_about_another_journeys_need_is_refused():
    journey = make_journey(stage_key="onboarding")
    need = capture_need(make_journey(), "Export to SAP", by=None)
    with pytest.raises(ValidationError):
        open_ticket(journey, "SAP export fails", by=None, need=need)
