"""The training endpoints: replays, assignments, playbooks and shadowings."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onethread.api.tests.apiclient import Api, issue_key
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.team.models import Member, Role
from onethread.training.services import add_playbook_item
from onethread.training.tests.stories import Story, churned_story
from tests.builders import make_journey, make_member, make_team, stage

pytestmark = pytest.mark.django_db


def api_for(member: Member) -> Api:
    return Api(issue_key(member.user), Client())


def put(api: Api, path: str, body: dict[str, str]) -> Any:
    return api.client.put(
        f"/api/v1{path}", json.dumps(body), "application/json", headers=api.headers
    )


@pytest.fixture
def story() -> Story:
    team = make_team("Sales")
    return churned_story(
        make_member(Role.SDR, team=team, username="lena"),
        make_member(Role.AE, team=team, username="alex"),
        make_member(Role.CSM, team=team, username="omar"),
    )


def test_a_manager_keeps_and_assigns_a_replay_and_the_member_reflects(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    newcomer = make_member(Role.SDR, team=make_team("New hires"))
    api = api_for(manager)

    created = api.post(
        "/replays",
        {"journey_id": story.journey.pk, "title": "Lost", "lesson": "Ask.", "tags": ["Churn"]},
    )
    assert created.status_code == 201
    replay_id = created.json()["id"]
    assert created.json()["tags"] == ["churn"]
    assigned = api.post(f"/replays/{replay_id}/assignments", {"member_ids": [newcomer.pk]})
    assert assigned.status_code == 201

    mine = api_for(newcomer)
    (assignment,) = mine.get("/replay-assignments").json()["items"]
    detail = mine.get(f"/replays/{replay_id}").json()
    assert [(m["kind"], m["event_id"]) for m in detail["story"]["moments"]] == [
        (kind, event.pk) for kind, event in story.moments
    ]
    assert detail["story"]["outcome"]["stage"] == "churned"
    reflected = mine.post(
        f"/replay-assignments/{assignment['id']}/reflection", {"reflection": "Noted."}
    )
    assert reflected.json()["reflection"] == "Noted."
    assert reflected.json()["read_at"] is not None


def test_members_cannot_keep_replays(story: Story) -> None:
    sdr = Member.objects.get(user__username="lena")
    response = api_for(sdr).post(
        "/replays", {"journey_id": story.journey.pk, "title": "T", "lesson": "L"}
    )
    assert response.status_code == 403


def test_a_playbook_is_set_and_a_step_ticked_over_the_api() -> None:
    manager = make_member(Role.MANAGER)
    sdr = make_member(Role.SDR, team=manager.team)
    journey = make_journey(owner=sdr, stage_key="qualification")
    saved = put(
        api_for(manager),
        "/playbooks/qualification",
        {"good_looks_like": "Signer known", "next_stage_needs": ""},
    )
    assert saved.status_code == 200
    assert saved.json()["good_looks_like"] == "Signer known"
    step = add_playbook_item(stage("qualification"), "Recap sent", by=manager)
    assert put(api_for(sdr), "/playbooks/qualification", {}).status_code == 403

    done = api_for(sdr).post(f"/journeys/{journey.pk}/playbook-steps", {"item_id": step.pk})

    assert done.status_code == 201
    event = JourneyEvent.objects.filter(journey=journey).latest("id")
    assert (event.kind, event.payload["item_id"]) == (EventKind.PLAYBOOK_STEP_DONE, step.pk)
    listed = api_for(sdr).get("/playbooks").json()
    qualification = next(p for p in listed if p["stage"] == "qualification")
    assert qualification["steps"][0]["label"] == "Recap sent"


def test_a_shadowing_is_assigned_noted_and_closed_over_the_api() -> None:
    manager = make_member(Role.MANAGER)
    csm = make_member(Role.ONBOARDING, team=manager.team)
    journey = make_journey(owner=csm, stage_key="onboarding")
    sdr = make_member(Role.SDR, team=make_team("Sales"))
    today = timezone.localdate()

    created = api_for(manager).post(
        "/shadowings",
        {
            "member_id": sdr.pk,
            "stage": "onboarding",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=14)).isoformat(),
            "journey_ids": [journey.pk],
        },
    )
    assert created.status_code == 201
    shadowing_id = created.json()["id"]
    assert created.json()["journey_ids"] == [journey.pk]

    mine = api_for(sdr)
    assert mine.get(f"/journeys/{journey.pk}").status_code == 200
    noted = mine.post(f"/shadowings/{shadowing_id}/notes", {"text": "Three calls to kick off"})
    assert noted.json()["notes"][0]["text"] == "Three calls to kick off"
    assert (
        api_for(manager)
        .post(f"/shadowings/{shadowing_id}/close", {"reflection": "Not mine"})
        .status_code
        == 403
    )
    closed = mine.post(f"/shadowings/{shadowing_id}/close", {"reflection": "Qualify harder."})
    assert closed.json()["closed_at"] is not None
    assert mine.get(f"/journeys/{journey.pk}").status_code == 404
