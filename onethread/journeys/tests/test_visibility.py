import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from onethread.interactions.services import log_interaction
from onethread.journeys.access import get_journey_for_user, visible_journeys
from onethread.needs.access import get_need_for_user
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_team, make_user

pytestmark = pytest.mark.django_db


def test_a_specialist_sees_their_teams_journeys_and_no_others():
    team = make_team()
    sdr = make_member(Role.SDR, team=team)
    colleague = make_member(Role.AE, team=team)
    ours = make_journey(owner=colleague)
    theirs = make_journey(owner=make_member(Role.SDR))
    assert list(visible_journeys(sdr.user)) == [ours]
    with pytest.raises(Http404):
        get_journey_for_user(sdr.user, theirs.pk)


def test_working_a_journey_puts_you_on_its_account_team_and_lets_you_see_it():
    csm = make_member(Role.CSM)
    journey = make_journey(owner=make_member(Role.AE))
    assert journey not in visible_journeys(csm.user)
    log_interaction(journey, channel="call", direction="inbound", summary="Kick-off", by=csm.user)
    assert get_journey_for_user(csm.user, journey.pk) == journey


def test_a_manager_sees_their_teams_journeys():
    manager = make_member(Role.MANAGER)
    ours = make_journey(owner=make_member(Role.SDR, team=manager.team))
    make_journey(owner=make_member(Role.SDR))
    assert list(visible_journeys(manager.user)) == [ours]


def test_admins_and_superusers_see_everything():
    make_journey(owner=make_member(Role.SDR))
    make_journey(owner=make_member(Role.CSM))
    admin = make_member(Role.ADMIN)
    superuser = make_user(is_superuser=True)
    assert visible_journeys(admin.user).count() == 2
    assert visible_journeys(superuser).count() == 2


def test_users_without_a_member_and_anonymous_users_see_nothing():
    make_journey(owner=make_member(Role.SDR))
    assert not visible_journeys(make_user()).exists()
    assert not visible_journeys(AnonymousUser()).exists()


def test_an_inactive_user_sees_nothing():
    sdr = make_member(Role.SDR)
    make_journey(owner=sdr)
    sdr.user.is_active = False
    sdr.user.save()
    assert not visible_journeys(sdr.user).exists()


def test_records_of_a_journey_follow_the_journeys_visibility():
    owner = make_member(Role.SDR)
    journey = make_journey(owner=owner)
    need = capture_need(journey, "Audit trail", by=owner.user)
    assert get_need_for_user(owner.user, need.pk) == need
    with pytest.raises(Http404):
        get_need_for_user(make_member(Role.SDR).user, need.pk)
