"""A member is told when training is set for them; a shadow reader of the
account page is offered none of its write forms."""

import pytest
from django.urls import reverse

from onethread.commitments.services import make_commitment
from onethread.needs.services import capture_need
from onethread.notifications.models import Notification
from onethread.team.models import Role
from onethread.training.services import assign_replay, save_replay
from onethread.training.tests.test_shadowing import client_for, shadow
from tests.builders import make_journey, make_member, make_team

pytestmark = pytest.mark.django_db

JOURNEY_FORMS = ("log-interaction", "capture-need", "make-commitment", "add-note", "add-contact")


def test_members_are_notified_of_a_replay_assigned_to_them_once() -> None:
    team = make_team("Sales")
    manager = make_member(Role.MANAGER, team=team, first_name="Mia")
    sdr = make_member(Role.SDR, team=team)
    journey = make_journey(owner=sdr, stage_key="lost")
    replay = save_replay(journey, title="Lost on price", lesson="Ask early.", by=manager)

    assign_replay(replay, teams=[team], by=manager)
    assign_replay(replay, members=[sdr], by=manager)  # already asked: no second notice

    [notice] = Notification.objects.filter(recipient=sdr.user)
    assert notice.kind == Notification.Kind.TRAINING
    assert "Lost on price" in notice.text
    assert notice.url == reverse("replay", args=[replay.pk])
    assert not Notification.objects.filter(recipient=manager.user).exists()


def test_a_member_is_notified_of_a_shadowing_set_up_for_them() -> None:
    csm = make_member(Role.ONBOARDING, team=make_team("Customer success"))
    journey = make_journey(owner=csm, stage_key="onboarding", name="Initech")
    sdr = make_member(Role.SDR, team=make_team("Sales"))

    shadowing = shadow(sdr, [journey])

    [notice] = Notification.objects.filter(recipient=sdr.user)
    assert notice.kind == Notification.Kind.TRAINING
    assert "Onboarding" in notice.text
    assert notice.url == reverse("shadowing", args=[shadowing.pk])


def test_a_shadow_reader_is_not_offered_the_write_forms() -> None:
    csm = make_member(Role.ONBOARDING, team=make_team("Customer success"))
    journey = make_journey(owner=csm, stage_key="onboarding", name="Initech")
    need = capture_need(journey, "Ship weekly", by=csm.user)
    promise = make_commitment(journey, "Call on Friday", by=csm.user, owner=csm.user)
    sdr = make_member(Role.SDR, team=make_team("Sales"))
    shadow(sdr, [journey])
    page = reverse("account-thread", args=[journey.account_id])

    owner_html = client_for(csm).get(page).content.decode()
    reader = client_for(sdr).get(page)

    assert reader.status_code == 200
    html = reader.content.decode()
    assert "Ship weekly" in html
    assert "Call on Friday" in html
    actions = [reverse(name, args=[journey.pk]) for name in JOURNEY_FORMS]
    actions += [
        reverse("change-need", args=[need.pk]),
        reverse("settle-commitment", args=[promise.pk]),
    ]
    for action in actions:
        assert f'action="{action}"' in owner_html, action  # the owner is offered it
        assert f'action="{action}"' not in html, action
    assert "data-mention" not in html
