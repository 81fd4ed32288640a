import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onethread.journeys.editing import EditConflict
from onethread.journeys.models import AccountTeamMember, EventKind, Journey
from onethread.journeys.services import assign_owner, move_stage, open_journey
from onethread.team.models import Role
from tests.builders import make_account, make_journey, make_member, make_team, stage

pytestmark = pytest.mark.django_db


def test_moving_a_stage_records_from_and_to_and_resets_the_stage_clock():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, at=timezone.now() - dt.timedelta(days=9))
    at = timezone.now() - dt.timedelta(days=2)
    journey = move_stage(journey, stage("qualification"), by=sdr.user, at=at)
    assert journey.stage.key == "qualification"
    assert journey.stage_entered_at == at
    event = journey.events.filter(kind=EventKind.STAGE_ENTERED).latest("id")
    assert event.payload == {"from": "lead", "to": "qualification"}
    assert event.occurred_at == at
    assert event.actor == sdr.user


def test_crossing_from_closing_to_onboarding_marks_the_journey_won_once():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae, stage_key="closing")
    journey = move_stage(journey, stage("onboarding"), by=ae.user)
    won_at = journey.won_at
    assert won_at is not None
    journey = move_stage(journey, stage("adoption"), by=ae.user)
    assert journey.won_at == won_at


@pytest.mark.parametrize("outcome", ["disqualified", "lost"])
def test_an_outcome_needs_a_reason_and_closes_the_journey(outcome):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    with pytest.raises(ValidationError, match="Say why"):
        move_stage(journey, stage(outcome), by=sdr.user, reason="  ")
    journey = move_stage(journey, stage(outcome), by=sdr.user, reason="No budget this year")
    assert journey.closed_at is not None
    assert journey.outcome_reason == "No budget this year"
    assert journey.events.latest("id").payload["reason"] == "No budget this year"


def test_churn_cannot_end_a_journey_before_the_sale():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    with pytest.raises(ValidationError, match="cannot end"):
        move_stage(journey, stage("churned"), by=sdr.user, reason="gone")


def test_a_closed_journey_does_not_move():
    journey = make_journey(stage_key="lost")
    with pytest.raises(ValidationError, match="closed"):
        move_stage(journey, stage("closing"), by=None)


def test_a_move_made_against_an_old_version_is_refused():
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    seen_version = journey.version
    move_stage(journey, stage("qualification"), by=sdr.user, expected_version=seen_version)
    with pytest.raises(EditConflict):
        move_stage(journey, stage("closing"), by=sdr.user, expected_version=seen_version)
    assert Journey.objects.get(pk=journey.pk).stage.key == "qualification"


def test_a_second_open_journey_for_the_same_account_is_refused():
    team = make_team()
    account = make_account("Acme")
    open_journey(account, team=team, by=None)
    with pytest.raises(ValidationError, match="already has an open journey"):
        open_journey(account, team=team, by=None)


def test_handing_over_keeps_earlier_owners_on_the_account_team():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    journey = move_stage(journey, stage("closing"), by=sdr.user)
    journey = assign_owner(journey, ae, by=sdr.user)
    seats = set(
        AccountTeamMember.objects.filter(journey=journey, owned=True).values_list(
            "member__user__username", "stage__key"
        )
    )
    assert (sdr.user.username, "lead") in seats
    assert (sdr.user.username, "qualification") in seats
    assert (ae.user.username, "closing") in seats
    event = journey.events.filter(kind=EventKind.OWNER_CHANGED).get()
    assert event.payload["from_id"] == sdr.pk
    assert event.payload["to_id"] == ae.pk


def test_assigning_an_owner_of_another_team_moves_the_journey_to_that_team():
    ae = make_member(Role.AE)
    csm = make_member(Role.CSM)
    journey = make_journey(owner=ae, stage_key="onboarding")
    journey = assign_owner(journey, csm, by=ae.user)
    assert journey.team == csm.team
