import pytest

from onethread.journeys.events import member_of
from onethread.team.backends import MemberBackend
from onethread.team.models import Role
from tests.builders import make_member, make_user

pytestmark = pytest.mark.django_db


def test_the_signed_in_users_member_and_team_come_with_the_user(django_assert_num_queries):
    sdr = make_member(Role.SDR)
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(sdr.user_id)
        member = member_of(user)
        assert member == sdr
        assert member is not None
        assert member.team == sdr.team


def test_a_user_without_a_member_profile_needs_no_second_query(django_assert_num_queries):
    user = make_user()
    with django_assert_num_queries(1):
        assert member_of(MemberBackend().get_user(user.pk)) is None


def test_an_inactive_user_is_not_signed_in():
    user = make_user(is_active=False)
    assert MemberBackend().get_user(user.pk) is None


def test_a_deleted_or_malformed_user_id_signs_nobody_in():
    user = make_user()
    gone = user.pk
    user.delete()
    backend = MemberBackend()
    assert backend.get_user(gone) is None
    assert backend.get_user(str(gone)) is None
    assert backend.get_user("not a number") is None
    assert backend.get_user(2**40) is None


def test_the_id_may_come_as_text_from_the_session():
    sdr = make_member(Role.SDR)
    assert MemberBackend().get_user(str(sdr.user_id)) == sdr.user
