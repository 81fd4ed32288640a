"""Explicit journeys for the training tests, written through the services."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from onethread.commitments.services import make_commitment, settle_commitment
from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.journeys.models import EventKind, Journey, JourneyEvent, Stage
from onethread.journeys.services import add_note, move_stage
from onethread.needs.services import capture_need
from onethread.team.models import Member
from tests.builders import make_journey, return_reason, transition

DAY = dt.timedelta(days=1)


@dataclass
class Story:
    journey: Journey
    moments: list[tuple[str, JourneyEvent]]


def _last(journey: Journey, kind: str) -> JourneyEvent:
    return JourneyEvent.objects.filter(journey=journey, kind=kind).latest("id")


def churned_story(sdr: Member, ae: Member, csm: Member, *, name: str = "Globex") -> Story:
    """Qualified by the SDR, handed to the AE over a missing contract item
    (returned, then accepted), sold with a promise, onboarded by the CSM who
    asks the same question again, breaks the promise, goes quiet, churns."""
    start = timezone.now() - 120 * DAY
    journey = make_journey(owner=sdr, stage_key="qualification", name=name, at=start)
    capture_need(journey, "Ship to 12 warehouses every week", by=sdr.user, at=start + DAY)
    closing = transition("qualification", "closing").to_stage
    first = send_handoff(
        journey,
        by=sdr.user,
        to_stage=closing,
        to_member=ae,
        override_reason="They want a quote today",
        at=start + 2 * DAY,
    )
    return_handoff(
        first, by=ae.user, reason=return_reason(), comment="Who signs?", at=start + 3 * DAY
    )
    moments = [
        ("overridden_contract", _last(journey, EventKind.HANDOFF_SENT)),
        ("returned_handoff", _last(journey, EventKind.HANDOFF_RETURNED)),
    ]
    second = send_handoff(
        journey,
        by=sdr.user,
        to_stage=closing,
        to_member=ae,
        override_reason="The CFO signs; budget approved",
        at=start + 4 * DAY,
    )
    moments.append(("overridden_contract", _last(journey, EventKind.HANDOFF_SENT)))
    accept_handoff(second, by=ae.user, rating=3, at=start + 5 * DAY)
    journey.refresh_from_db()
    promise = make_commitment(
        journey,
        "Live in two weeks",
        by=ae.user,
        owner=csm.user,
        due_on=(start + 30 * DAY).date(),
        at=start + 6 * DAY,
    )
    capture_need(
        journey, "Ship to 12 warehouses every week", by=ae.user, repeat="same", at=start + 7 * DAY
    )
    moments.append(("repeated_discovery", _last(journey, EventKind.REPEATED_DISCOVERY)))
    journey = move_stage(
        journey, Stage.objects.get(key="onboarding"), by=ae.user, at=start + 8 * DAY
    )
    settle_commitment(promise, "broken", by=csm.user, expected_version=None, at=start + 20 * DAY)
    moments.append(("broken_promise", _last(journey, EventKind.COMMITMENT_CHANGED)))
    add_note(journey, "Chased them again; no answer.", by=csm.user, at=start + 80 * DAY)
    moments.append(("long_silence", _last(journey, EventKind.NOTE_ADDED)))
    journey = move_stage(
        journey,
        Stage.objects.get(key="churned"),
        by=csm.user,
        reason="Never went live",
        at=start + 81 * DAY,
    )
    return Story(journey, moments)
