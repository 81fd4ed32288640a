import datetime as dt

import pytest

from onethread.customers.services import add_contact
from onethread.handoffs.models import Handoff, ReturnReason
from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.needs.services import capture_need
from onethread.team.models import Member, Role
from tests.builders import make_journey, make_member, return_reason, stage, transition

pytestmark = pytest.mark.django_db


def qualified_journey(sdr: Member, name: str | None = None) -> Journey:
    """In qualification, meeting the qualification → closing contract except
    for the two items the sender confirms."""
    journey = make_journey(owner=sdr, stage_key="qualification", name=name)
    capture_need(journey, "Carrier costs per shipment", by=sdr.user, priority=2)
    add_contact(journey.account, "Dana Scully", by=sdr.user, buying_role="decision_maker")
    return journey


def confirmed_answers() -> dict[str, str]:
    items = transition("qualification", "closing").items.filter(rule="confirmed")
    return {str(item.pk): "Budget 40k, decision in March" for item in items}


def handed_off(sdr: Member, to: Member, name: str | None = None) -> Handoff:
    return send_handoff(
        qualified_journey(sdr, name),
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=to,
        answers={int(key): text for key, text in confirmed_answers().items()},
    )


def sdr_and_ae() -> tuple[Member, Member]:
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Lee")
    return sdr, make_member(Role.AE, team=sdr.team, first_name="Alex", last_name="Kim")


def events_of(journey_id: int) -> list[str]:
    return list(
        JourneyEvent.objects.filter(journey_id=journey_id)
        .order_by("id")
        .values_list("kind", flat=True)
    )


# Sending ---------------------------------------------------------------------


def test_sending_freezes_the_brief_scores_the_contract_and_starts_the_clock(api_as):
    sdr, ae = sdr_and_ae()
    journey = qualified_journey(sdr, "Globex")
    response = api_as(sdr).post(
        f"/journeys/{journey.pk}/handoffs",
        {
            "to_stage": "closing",
            "to_member": ae.pk,
            "answers": confirmed_answers(),
            "note": "Hot lead",
            "open_questions": "Who signs?",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["journey_id"]) == ("pending", journey.pk)
    assert body["from_member"] == {"id": sdr.pk, "name": "Sam Lee"}
    assert body["to_member"] == {"id": ae.pk, "name": "Alex Kim"}
    assert (body["from_stage"]["key"], body["to_stage"]["key"]) == ("qualification", "closing")
    assert (body["completeness"], body["missing_required"]) == (1.0, [])
    assert all(item["met"] for item in body["contract"])
    assert body["brief"]["account"]["name"] == "Globex"
    assert [need["statement"] for need in body["brief"]["needs"]] == ["Carrier costs per shipment"]
    sent_at = dt.datetime.fromisoformat(body["sent_at"])
    assert dt.datetime.fromisoformat(body["due_at"]) - sent_at == dt.timedelta(hours=24)
    assert (body["overdue"], body["response"], body["can_answer"]) == (False, None, False)
    assert (body["note"], body["open_questions"]) == ("Hot lead", "Who signs?")
    assert events_of(journey.pk)[-1] == EventKind.HANDOFF_SENT


def test_missing_required_items_answer_422_naming_them_until_an_override_is_given(api_as):
    sdr, ae = sdr_and_ae()
    journey = make_journey(owner=sdr, stage_key="qualification")
    events = events_of(journey.pk)
    api = api_as(sdr)
    path = f"/journeys/{journey.pk}/handoffs"
    refused = api.post(path, {"to_stage": "closing", "to_member": ae.pk})
    assert refused.status_code == 422
    message = refused.json()["errors"]["override_reason"][0]
    assert "Decision maker identified" in message
    assert "Timing and budget known" in message
    assert (events_of(journey.pk), Handoff.objects.count()) == (events, 0)
    sent = api.post(
        path, {"to_stage": "closing", "to_member": ae.pk, "override_reason": "Quote due today"}
    )
    assert sent.status_code == 201
    assert sent.json()["override_reason"] == "Quote due today"
    assert len(sent.json()["missing_required"]) == 4


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("unknown_member", "to_member"),
        ("to_self", "to_member"),
        ("stage_does_not_follow", "to_stage"),
        ("unknown_stage", "to_stage"),
        ("answer_to_no_item", "answers"),
        ("answer_key_not_an_id", "answers"),
        ("unknown_field", "priority"),
    ],
)
def test_bad_send_input_answers_422_on_its_field_and_changes_nothing(api_as, case, field):
    sdr, ae = sdr_and_ae()
    journey = qualified_journey(sdr)
    body: dict[str, object] = {
        "to_stage": "closing",
        "to_member": ae.pk,
        "answers": confirmed_answers(),
    }
    if case == "unknown_member":
        body["to_member"] = 987654321
    elif case == "to_self":
        body["to_member"] = sdr.pk
    elif case == "stage_does_not_follow":
        body["to_stage"] = "adoption"
    elif case == "unknown_stage":
        body["to_stage"] = "heaven"
    elif case == "answer_to_no_item":
        body["answers"] = {"987654321": "Yes"}
    elif case == "answer_key_not_an_id":
        body["answers"] = {"budget": "Yes"}
    else:
        body["priority"] = 1
    events = events_of(journey.pk)
    response = api_as(sdr).post(f"/journeys/{journey.pk}/handoffs", body)
    assert response.status_code == 422
    assert field in "".join(response.json()["errors"])
    assert response.json()["detail"]
    assert (events_of(journey.pk), Handoff.objects.count()) == (events, 0)


def test_only_who_may_move_the_journey_sends_it(api_as):
    sdr, ae = sdr_and_ae()
    journey = qualified_journey(sdr)
    response = api_as(ae).post(
        f"/journeys/{journey.pk}/handoffs",
        {"to_stage": "closing", "answers": confirmed_answers()},
    )
    assert response.status_code == 403
    assert "owner" in response.json()["detail"]
    assert not Handoff.objects.exists()


def test_a_second_handoff_of_the_same_journey_waits_for_the_first(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    response = api_as(sdr).post(
        f"/journeys/{handoff.journey_id}/handoffs",
        {"to_stage": "closing", "to_member": ae.pk, "answers": confirmed_answers()},
    )
    assert response.status_code == 422
    assert "already waiting" in response.json()["detail"]
    assert Handoff.objects.count() == 1


# Answering -------------------------------------------------------------------


def test_accepting_moves_the_journey_and_records_the_rating(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    api = api_as(ae)
    assert api.get(f"/handoffs/{handoff.pk}").json()["can_answer"] is True
    response = api.post(
        f"/handoffs/{handoff.pk}/accept",
        {"rating": 4, "missing": ["Budget owner"], "expected_version": handoff.version},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["can_answer"]) == ("accepted", False)
    assert body["response"]["responded_by"] == {"id": ae.pk, "name": "Alex Kim"}
    assert (body["response"]["rating"], body["response"]["missing"]) == (4, ["Budget owner"])
    journey = Journey.objects.get(pk=handoff.journey_id)
    assert (journey.stage.key, journey.owner) == ("closing", ae)
    assert events_of(journey.pk)[-3:] == ["handoff_accepted", "stage_entered", "owner_changed"]


def test_returning_needs_a_known_reason_and_leaves_the_journey_as_it_was(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    journey_version = Journey.objects.get(pk=handoff.journey_id).version
    events = events_of(handoff.journey_id)
    api = api_as(ae)
    path = f"/handoffs/{handoff.pk}/return"
    for body, field in [({"comment": "?"}, "reason"), ({"reason": "bored"}, "reason")]:
        refused = api.post(path, body)
        assert refused.status_code == 422
        assert field in refused.json()["errors"]
        assert events_of(handoff.journey_id) == events
    response = api.post(path, {"reason": "missing_information", "comment": "No budget figure"})
    assert response.status_code == 200
    answer = response.json()["response"]
    assert answer["return_reason"] == {"key": "missing_information", "label": "Missing information"}
    assert answer["return_comment"] == "No budget figure"
    journey = Journey.objects.get(pk=handoff.journey_id)
    assert (journey.stage.key, journey.owner, journey.version) == (
        "qualification",
        sdr,
        journey_version,
    )
    assert events_of(handoff.journey_id) == [*events, "handoff_returned"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "5"}, "rating"),
        ({}, "rating"),
        ({"rating": 3, "missing": [""]}, "missing.0"),
        ({"rating": 3, "expected_version": 0}, "expected_version"),
    ],
)
def test_a_malformed_acceptance_answers_422_and_changes_nothing(api_as, body, field):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    events = events_of(handoff.journey_id)
    response = api_as(ae).post(f"/handoffs/{handoff.pk}/accept", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert events_of(handoff.journey_id) == events
    assert Handoff.objects.get(pk=handoff.pk).is_pending


def test_accepting_ones_own_handoff_is_refused_with_403_and_changes_nothing(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    events = events_of(handoff.journey_id)
    response = api_as(sdr).post(f"/handoffs/{handoff.pk}/accept", {"rating": 5})
    assert response.status_code == 403
    assert "You sent this handoff" in response.json()["detail"]
    assert events_of(handoff.journey_id) == events
    assert Handoff.objects.get(pk=handoff.pk).is_pending


def test_a_second_answer_is_a_409_that_says_who_answered_first(api_as):
    sdr, ae = sdr_and_ae()
    manager = make_member(Role.MANAGER, team=ae.team)
    handoff = handed_off(sdr, ae)
    assert api_as(ae).post(f"/handoffs/{handoff.pk}/accept", {"rating": 5}).status_code == 200
    events = events_of(handoff.journey_id)
    api = api_as(manager)
    for path, body in [
        ("accept", {"rating": 3}),
        ("return", {"reason": "wrong_owner"}),
    ]:
        response = api.post(f"/handoffs/{handoff.pk}/{path}", body)
        assert response.status_code == 409
        assert "already accepted by Alex Kim" in response.json()["detail"]
    assert events_of(handoff.journey_id) == events


def test_answering_a_version_one_did_not_read_is_a_409(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    response = api_as(ae).post(
        f"/handoffs/{handoff.pk}/accept", {"rating": 5, "expected_version": handoff.version + 1}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert Handoff.objects.get(pk=handoff.pk).is_pending


def test_another_teams_handoff_is_not_found(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    api = api_as(make_member(Role.AE))
    for response in [
        api.get(f"/handoffs/{handoff.pk}"),
        api.post(f"/handoffs/{handoff.pk}/accept", {"rating": 5}),
        api.post(f"/handoffs/{handoff.pk}/return", {"reason": "duplicate"}),
    ]:
        assert response.status_code == 404
        assert response.json() == {"detail": "No such handoff."}
    assert Handoff.objects.get(pk=handoff.pk).is_pending


def test_a_colleague_outside_the_receiving_side_gets_403(api_as):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    other_sdr = make_member(Role.SDR, team=sdr.team)
    response = api_as(other_sdr).post(f"/handoffs/{handoff.pk}/accept", {"rating": 5})
    assert response.status_code == 403
    assert Handoff.objects.get(pk=handoff.pk).is_pending


# Reading ---------------------------------------------------------------------


def test_the_inbox_boxes_list_what_waits_for_me_what_i_sent_and_my_team(api_as):
    sdr, ae = sdr_and_ae()
    colleague = make_member(Role.AE, team=sdr.team)
    manager = make_member(Role.MANAGER, team=sdr.team)
    first = handed_off(sdr, ae)
    second = handed_off(sdr, colleague)
    third = handed_off(sdr, ae)
    accept_handoff(third, by=ae.user, rating=5)
    assert [h["id"] for h in api_as(ae).get("/handoffs").json()["items"]] == [first.pk]
    sent = api_as(sdr).get("/handoffs", box="sent").json()["items"]
    assert [h["id"] for h in sent] == [third.pk, second.pk, first.pk]
    assert sent[0]["response"]["rating"] == 5
    team = api_as(manager).get("/handoffs", box="team").json()["items"]
    assert [h["id"] for h in team] == [first.pk, second.pk]
    refused = api_as(ae).get("/handoffs", box="everything")
    assert refused.status_code == 422
    assert "box" in refused.json()["errors"]


def test_an_unknown_query_parameter_is_refused_not_ignored(api_as):
    sdr, _ae = sdr_and_ae()
    response = api_as(sdr).get("/handoffs", boxx="sent")
    assert response.status_code == 422
    assert "boxx" in response.json()["detail"]


def page_through(api, box: str, assert_queries) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        params = {"box": box, "limit": 5, **({"after": cursor} if cursor else {})}
        with assert_queries(2):
            body = api.get("/handoffs", **params).json()
        seen += [handoff["id"] for handoff in body["items"]]
        cursor = body["next"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("handoffs", [2, 12])
def test_inbox_pages_return_each_handoff_once_in_bounded_queries(
    api_as, django_assert_max_num_queries, handoffs
):
    sdr, ae = sdr_and_ae()
    sent = [handed_off(sdr, ae) for _ in range(handoffs)]
    received = page_through(api_as(ae), "received", django_assert_max_num_queries)
    assert received == [h.pk for h in sorted(sent, key=lambda h: (h.due_at, h.pk))]
    for handoff in sent[::2]:
        accept_handoff(handoff, by=ae.user, rating=3, missing=["Budget"])
    for handoff in sent[1::2]:
        return_handoff(handoff, by=ae.user, reason=return_reason("bad_timing"))
    mine = page_through(api_as(sdr), "sent", django_assert_max_num_queries)
    assert mine == [h.pk for h in sorted(sent, key=lambda h: (h.sent_at, h.pk), reverse=True)]


def test_a_handoff_is_read_in_bounded_queries(api_as, django_assert_max_num_queries):
    sdr, ae = sdr_and_ae()
    handoff = handed_off(sdr, ae)
    api = api_as(ae)
    with django_assert_max_num_queries(2):
        assert api.get(f"/handoffs/{handoff.pk}").status_code == 200


def test_return_reasons_are_the_active_ones_in_order(api_as):
    sdr, _ae = sdr_and_ae()
    transition("qualification", "closing")
    ReturnReason.objects.filter(key="duplicate").update(is_active=False)
    reasons = api_as(sdr).get("/handoffs/reasons").json()
    assert [reason["key"] for reason in reasons] == [
        "not_qualified",
        "missing_information",
        "wrong_owner",
        "bad_timing",
    ]


def test_transitions_give_what_a_send_form_needs(api_as, django_assert_max_num_queries):
    sdr, ae = sdr_and_ae()
    away = make_member(Role.AE, team=sdr.team)
    away.is_available = False
    away.save()
    journey = qualified_journey(sdr)
    api = api_as(sdr)
    # Token, journey, transitions, their items, the pending handoff, three
    # kinds of facts for the contract, the receivers: whatever the contract's size.
    with django_assert_max_num_queries(9):
        body = api.get(f"/journeys/{journey.pk}/transitions").json()
    assert (body["journey_id"], body["from_stage"]["key"]) == (journey.pk, "qualification")
    assert (body["can_send"], body["pending_handoff_id"]) == (True, None)
    (step,) = body["transitions"]
    assert (step["to_stage"]["key"], step["sla_hours"], step["requires_handoff"]) == (
        "closing",
        24,
        True,
    )
    assert step["receivers"] == [{"id": ae.pk, "name": "Alex Kim"}]
    met = {item["label"]: item["met"] for item in step["items"]}
    assert met == {
        "At least one need, with its priority": True,
        "Decision maker identified": True,
        "Timing and budget known": None,
        "Next step agreed with the customer": None,
    }
    handoff = handed_off(sdr, ae, name="Initech")
    other = api.get(f"/journeys/{handoff.journey_id}/transitions").json()
    assert other["pending_handoff_id"] == handoff.pk
    assert api_as(ae).get(f"/journeys/{journey.pk}/transitions").json()["can_send"] is False
