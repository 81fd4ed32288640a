"""The goal endpoints: list, create (managers), progress."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onethread.api.tests.apiclient import Api, issue_key
from onethread.insights.services import refresh_insights
from onethread.team.models import Member, Role
from tests.builders import make_journey, make_member, make_team

pytestmark = pytest.mark.django_db


def api_for(member: Member) -> Api:
    return Api(issue_key(member.user), Client())


def test_a_manager_sets_a_goal_and_its_progress_is_the_insights_count() -> None:
    team = make_team("Sales")
    manager = make_member(Role.MANAGER, team=team)
    ae = make_member(Role.AE, team=team)
    make_journey(owner=ae, stage_key="onboarding")
    make_journey(owner=ae, stage_key="onboarding")
    refresh_insights()
    today = timezone.localdate()
    body = {
        "measure": "deals_won",
        "target": 8,
        "starts_on": (today - dt.timedelta(days=7)).isoformat(),
        "ends_on": (today + dt.timedelta(days=7)).isoformat(),
    }

    created = api_for(manager).post("/goals", body)

    assert created.status_code == 201, created.content
    goal = created.json()
    assert (goal["team_id"], goal["member_id"], goal["target"]) == (team.pk, None, 8.0)
    progress = api_for(ae).get(f"/goals/{goal['id']}/progress")
    assert progress.status_code == 200
    assert progress.json()["value"] == 2
    assert progress.json()["share"] == 0.25
    assert progress.json()["met"] is False
    assert [g["id"] for g in api_for(ae).get("/goals").json()["items"]] == [goal["id"]]


def test_only_managers_create_goals_and_bad_input_is_refused() -> None:
    team = make_team("Sales")
    manager = make_member(Role.MANAGER, team=team)
    sdr = make_member(Role.SDR, team=team)
    stranger = make_member(Role.SDR)
    body = {"measure": "deals_won", "target": 5, "starts_on": "2026-01-01", "ends_on": "2026-03-31"}

    assert api_for(sdr).post("/goals", body).status_code == 403
    assert api_for(manager).post("/goals", body | {"measure": "nope"}).status_code == 422
    assert api_for(manager).post("/goals", body | {"target": -1}).status_code == 422
    assert api_for(manager).post("/goals", body | {"ends_on": "2025-01-01"}).status_code == 422
    assert api_for(manager).post("/goals", body | {"member_id": stranger.pk}).status_code == 422
    created = api_for(manager).post("/goals", body | {"member_id": sdr.pk}).json()
    assert api_for(stranger).get(f"/goals/{created['id']}/progress").status_code == 404
    assert api_for(stranger).get("/goals").json()["items"] == []
