import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from onethread.commitments.models import Commitment
from onethread.commitments.services import (
    make_commitment,
    renegotiate_commitment,
    settle_commitment,
)
from onethread.journeys.editing import EditConflict
from onethread.journeys.models import EventKind
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_user

pytestmark = pytest.mark.django_db


def test_a_promise_travels_with_its_maker_owner_stage_and_due_date():
    ae = make_member(Role.AE, first_name="Alex", last_name="Novak")
    csm = make_member(Role.CSM, first_name="Chris", last_name="Mbeki")
    journey = make_journey(owner=ae, stage_key="closing")
    commitment = make_commitment(
        journey, "Data migration by March", by=ae.user, owner=csm.user, due_on=dt.date(2027, 3, 1)
    )
    assert commitment.made_at_stage.key == "closing"
    event = journey.events.get(kind=EventKind.COMMITMENT_MADE)
    assert event.payload["owner"] == "Chris Mbeki"
    assert event.payload["due_on"] == "2027-03-01"


def test_overdue_means_pending_and_past_its_date():
    journey = make_journey()
    commitment = make_commitment(journey, "Call back", by=None, due_on=dt.date(2026, 1, 10))
    assert commitment.is_overdue(dt.date(2026, 1, 11))
    assert not commitment.is_overdue(dt.date(2026, 1, 10))
    commitment = settle_commitment(commitment, "kept", by=None, expected_version=None)
    assert not commitment.is_overdue(dt.date(2026, 1, 11))


def test_settling_records_the_outcome_once():
    journey = make_journey()
    commitment = make_commitment(journey, "Send the SOC 2 report", by=None)
    commitment = settle_commitment(
        commitment, "broken", by=None, expected_version=1, note="Lost it"
    )
    assert commitment.status == Commitment.Status.BROKEN
    assert commitment.settled_at is not None
    event = journey.events.get(kind=EventKind.COMMITMENT_CHANGED)
    assert event.payload["changes"]["status"] == ["open", "broken"]
    assert event.payload["note"] == "Lost it"
    with pytest.raises(ValidationError, match="already broken"):
        settle_commitment(commitment, "kept", by=None, expected_version=None)


def test_renegotiating_moves_the_date_openly():
    journey = make_journey()
    commitment = make_commitment(journey, "Go live", by=None, due_on=dt.date(2027, 1, 1))
    commitment = renegotiate_commitment(
        commitment, by=None, expected_version=1, due_on=dt.date(2027, 2, 1), note="Customer asked"
    )
    assert commitment.status == Commitment.Status.RENEGOTIATED
    assert commitment.is_pending
    changes = journey.events.get(kind=EventKind.COMMITMENT_CHANGED).payload["changes"]
    assert changes == {"due_on": ["2027-01-01", "2027-02-01"], "status": ["open", "renegotiated"]}


def test_a_stale_settlement_is_refused():
    journey = make_journey()
    commitment = make_commitment(journey, "Go live", by=None)
    renegotiate_commitment(commitment, by=None, expected_version=1, due_on=dt.date(2027, 2, 1))
    with pytest.raises(EditConflict):
        settle_commitment(commitment, "kept", by=None, expected_version=1)


def test_the_owner_must_be_a_member():
    journey = make_journey()
    with pytest.raises(ValidationError, match="owner"):
        make_commitment(journey, "Go live", by=None, owner=make_user())


def test_the_owner_is_emailed_after_commit_when_email_is_configured(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    ae = make_member(Role.AE)
    csm = make_member(Role.CSM)
    journey = make_journey(owner=ae, name="Globex")
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(journey, "Weekly check-ins", by=ae.user, owner=csm.user)
    call_command("worker", "--once")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [csm.user.email]
    assert "Weekly check-ins" in mail.outbox[0].body


def test_no_email_when_email_is_not_configured(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_ENABLED = False
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae)
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(journey, "Weekly check-ins", by=ae.user, owner=make_member(Role.CSM).user)
    call_command("worker", "--once")
    assert mail.outbox == []
