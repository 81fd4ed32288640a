"""Stage playbooks: edited by managers, ticked on the account page in the
journey's current stage, recorded as events, filling the handoff contract."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from onethread.handoffs.models import ContractItem
from onethread.handoffs.panel import handoff_panel
from onethread.handoffs.services import send_handoff
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.team.models import Member, Role
from onethread.training.models import Playbook, PlaybookCheck, PlaybookItem
from onethread.training.services import add_playbook_item, complete_playbook_step, update_playbook
from tests.builders import PASSWORD, make_journey, make_member, make_team, stage, transition

pytestmark = pytest.mark.django_db
TIMING = "Timing and budget known"


def client_for(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


@pytest.fixture
def manager() -> Member:
    return make_member(Role.MANAGER, team=make_team("Sales"), username="maria")


@pytest.fixture
def timing_item() -> ContractItem:
    return transition("qualification", "closing").items.get(label=TIMING)


@pytest.fixture
def qualified(manager: Member) -> Journey:
    sdr = make_member(Role.SDR, team=manager.team, username="lena")
    return make_journey(owner=sdr, stage_key="qualification", name="Globex")


def qualification_playbook(manager: Member, timing_item: ContractItem) -> list[PlaybookItem]:
    qualification = stage("qualification")
    update_playbook(
        qualification,
        good_looks_like="You know who signs and when.",
        next_stage_needs="The budget, the date, the signer.",
        by=manager,
    )
    return [
        add_playbook_item(
            qualification, "Confirm budget and timing", by=manager, contract_item=timing_item
        ),
        add_playbook_item(qualification, "Send the recap email", by=manager),
    ]


def test_a_manager_edits_a_playbook_on_its_page(manager: Member, timing_item: ContractItem) -> None:
    client = client_for(manager)
    page = reverse("playbook", args=["qualification"])
    client.post(page, {"good_looks_like": "Signer known", "next_stage_needs": "The date"})
    client.post(
        reverse("playbook-add-step", args=["qualification"]),
        {"label": "Confirm budget", "guidance": "Ask who pays", "contract_item": timing_item.pk},
    )

    playbook = Playbook.objects.get(stage__key="qualification")
    assert (playbook.good_looks_like, playbook.updated_by) == ("Signer known", manager)
    assert [(i.label, i.contract_item) for i in playbook.items.all()] == [
        ("Confirm budget", timing_item)
    ]
    assert "Confirm budget" in client.get(page).content.decode()


def test_members_read_playbooks_but_do_not_edit_them(manager: Member) -> None:
    sdr = make_member(Role.SDR, team=manager.team)
    client = client_for(sdr)
    page = reverse("playbook", args=["qualification"])
    assert client.get(page).status_code == 200
    assert client.post(page, {"good_looks_like": "x", "next_stage_needs": ""}).status_code == 403
    assert not Playbook.objects.exists()


def test_a_step_is_tied_only_to_a_contract_item_out_of_its_stage(
    manager: Member, timing_item: ContractItem
) -> None:
    with pytest.raises(ValidationError):
        add_playbook_item(stage("closing"), "Confirm", by=manager, contract_item=timing_item)


def test_ticking_a_step_on_the_account_page_records_a_journey_event(
    manager: Member, timing_item: ContractItem, qualified: Journey
) -> None:
    _, recap = qualification_playbook(manager, timing_item)
    sdr = qualified.owner
    assert sdr is not None
    client = client_for(sdr)
    page = reverse("account-thread", args=[qualified.account_id])
    shown = client.get(page).content.decode()
    assert "Qualification playbook" in shown
    assert "You know who signs and when." in shown

    client.post(reverse("playbook-step-done", args=[qualified.pk, recap.pk]))

    event = JourneyEvent.objects.filter(journey=qualified).latest("id")
    assert event.kind == EventKind.PLAYBOOK_STEP_DONE
    assert event.payload["label"] == "Send the recap email"
    assert event.actor == sdr.user
    assert PlaybookCheck.objects.get().item == recap
    after = client.get(page).content.decode()
    assert "1/2" in after
    assert "Playbook step done: <strong>Send the recap email</strong>" in after


def test_a_step_of_another_stage_or_done_twice_is_refused(
    manager: Member, timing_item: ContractItem, qualified: Journey
) -> None:
    timing, recap = qualification_playbook(manager, timing_item)
    other = add_playbook_item(stage("closing"), "Send the quote", by=manager)
    user = manager.user
    with pytest.raises(ValidationError):
        complete_playbook_step(qualified, other, by=user)
    with pytest.raises(ValidationError):
        complete_playbook_step(qualified, timing, by=user)  # a confirmed item needs its answer
    complete_playbook_step(qualified, recap, by=user)
    with pytest.raises(ValidationError):
        complete_playbook_step(qualified, recap, by=user)


def test_doing_the_step_fills_the_handoff_contract(
    manager: Member, timing_item: ContractItem, qualified: Journey
) -> None:
    timing, _ = qualification_playbook(manager, timing_item)
    sdr = qualified.owner
    assert sdr is not None
    complete_playbook_step(qualified, timing, by=sdr.user, answer="Q3, 40k, CFO signs")

    panel = handoff_panel(sdr.user, qualified)
    (option,) = [o for o in panel.options if o.transition.to_stage.key == "closing"]
    item = next(i for i in option.checklist if i["item_id"] == timing_item.pk)
    assert (item["met"], item["answer"]) == (True, "Q3, 40k, CFO signs")

    ae = make_member(Role.AE, team=manager.team)
    handoff = send_handoff(
        qualified,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers={timing_item.pk: item["answer"]},
        override_reason="Decision maker not in the CRM yet",
    )
    sent = next(i for i in handoff.contract if i["item_id"] == timing_item.pk)
    assert sent["met"] is True


def test_a_refused_step_answers_with_the_account_page_and_its_reason(
    manager: Member, timing_item: ContractItem, qualified: Journey
) -> None:
    timing, _ = qualification_playbook(manager, timing_item)
    assert qualified.owner is not None
    response = client_for(qualified.owner).post(
        reverse("playbook-step-done", args=[qualified.pk, timing.pk]), {"answer": " "}
    )
    assert response.status_code == 422
    assert "the answer goes into the handoff" in response.content.decode()
    assert not PlaybookCheck.objects.exists()
