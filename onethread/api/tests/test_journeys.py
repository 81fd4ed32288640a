import pytest

from onethread.journeys.models import EventKind, Journey
from onethread.journeys.services import add_note
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db


def test_a_journey_is_retrieved_with_its_account_stage_owner_and_version(api_as):
    member = make_member(Role.AE, first_name="Dana", last_name="Scully")
    journey = make_journey(owner=member, stage_key="closing", name="Initech", source="webinar")
    response = api_as(member).get(f"/journeys/{journey.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["account"] == {"id": journey.account_id, "name": "Initech"}
    assert body["stage"] == {"key": "closing", "name": "Closing", "kind": "active"}
    assert body["owner"] == {"id": member.pk, "name": "Dana Scully"}
    assert body["team"]["id"] == member.team_id
    assert body["source"] == "webinar"
    assert body["version"] == journey.version
    assert body["closed_at"] is None


def test_the_list_shows_visible_journeys_newest_first_and_filters_by_stage(api_as):
    member = make_member(Role.AE)
    lead = make_journey(owner=member)
    closing = make_journey(owner=member, stage_key="closing")
    make_journey(owner=make_member(Role.AE))
    api = api_as(member)
    assert [j["id"] for j in api.get("/journeys").json()["items"]] == [closing.pk, lead.pk]
    assert [j["id"] for j in api.get("/journeys", stage="lead").json()["items"]] == [lead.pk]


def test_another_teams_journey_is_not_found(api_as):
    theirs = make_journey(owner=make_member(Role.AE))
    api = api_as(make_member(Role.AE))
    for path in ("", "/timeline", "/needs", "/interactions"):
        response = api.get(f"/journeys/{theirs.pk}{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such journey."}
    response = api.post(
        f"/journeys/{theirs.pk}/stage", {"stage": "lost", "reason": "x", "expected_version": 1}
    )
    assert response.status_code == 404


def test_the_timeline_is_newest_first_and_filters_by_kind_and_stage(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member, stage_key="qualification")
    note = add_note(journey, "Budget confirmed", by=member.user)
    api = api_as(member)
    events = api.get(f"/journeys/{journey.pk}/timeline").json()["items"]
    assert events[0]["id"] == note.pk
    assert events[0]["payload"] == {"text": "Budget confirmed"}
    assert events[0]["actor"] == member.user.username
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    kinds = api.get(f"/journeys/{journey.pk}/timeline", kind="stage_entered").json()["items"]
    assert {e["kind"] for e in kinds} == {"stage_entered"}
    assert len(kinds) == 2
    at_lead = api.get(f"/journeys/{journey.pk}/timeline", stage="lead").json()["items"]
    assert {e["stage"] for e in at_lead} == {"lead"}
    assert api.get(f"/journeys/{journey.pk}/timeline", kind="nonsense").status_code == 422


def test_timeline_pages_return_every_event_once_in_bounded_queries(
    api_as, django_assert_max_num_queries
):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    for number in range(10):
        add_note(journey, f"Note {number}", by=member.user)
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"before": cursor} if cursor else {})}
        with django_assert_max_num_queries(3):
            body = api.get(f"/journeys/{journey.pk}/timeline", **params).json()
        seen += [event["id"] for event in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == sorted(journey.events.values_list("pk", flat=True), reverse=True)


@pytest.mark.parametrize("journeys", [2, 25])
def test_the_journey_list_runs_a_bounded_number_of_queries(
    api_as, django_assert_max_num_queries, journeys
):
    member = make_member(Role.AE)
    for _ in range(journeys):
        make_journey(owner=member)
    api = api_as(member)
    with django_assert_max_num_queries(3):
        response = api.get("/journeys", limit=20)
    assert len(response.json()["items"]) == min(journeys, 20)


def test_the_owner_moves_the_stage_naming_the_version_they_saw(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member, stage_key="qualification")
    response = api_as(member).post(
        f"/journeys/{journey.pk}/stage",
        {"stage": "lead", "expected_version": journey.version},
    )
    assert response.status_code == 200
    assert response.json()["stage"]["key"] == "lead"
    assert response.json()["version"] == journey.version + 1
    event = journey.events.filter(kind=EventKind.STAGE_ENTERED).latest("id")
    assert (event.payload, event.actor) == ({"from": "qualification", "to": "lead"}, member.user)


def test_an_owner_crosses_a_contracted_step_only_through_a_handoff(api_as):
    member = make_member(Role.SDR)
    journey = make_journey(owner=member, stage_key="qualification")
    response = api_as(member).post(
        f"/journeys/{journey.pk}/stage", {"stage": "closing", "expected_version": journey.version}
    )
    assert response.status_code == 403
    assert "handoff" in response.json()["detail"]
    assert Journey.objects.get(pk=journey.pk).stage == stage("qualification")


def test_a_stale_version_answers_409_and_moves_nothing(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member, stage_key="qualification")
    response = api_as(member).post(
        f"/journeys/{journey.pk}/stage", {"stage": "lead", "expected_version": 1}
    )
    assert journey.version > 1
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    journey.refresh_from_db()
    assert journey.stage == stage("qualification")


def test_a_member_who_may_not_move_the_stage_gets_403(api_as):
    owner = make_member(Role.AE)
    colleague = make_member(Role.SDR, team=owner.team)
    journey = make_journey(owner=owner)
    response = api_as(colleague).post(
        f"/journeys/{journey.pk}/stage", {"stage": "qualification", "expected_version": 1}
    )
    assert response.status_code == 403
    assert "owner" in response.json()["detail"]
    assert Journey.objects.get(pk=journey.pk).stage == stage("lead")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "heaven", "expected_version": 1}, "stage"),
        ({"stage": "lost", "expected_version": 1}, "reason"),
        ({"stage": "lead", "expected_version": 1}, "stage"),
        ({"stage": "closing"}, "expected_version"),
        ({"stage": "closing", "expected_version": "1"}, "expected_version"),
    ],
)
def test_an_invalid_move_answers_422_naming_the_field(api_as, body, field):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    response = api_as(member).post(f"/journeys/{journey.pk}/stage", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
