from collections import Counter

import pytest

from onethread.team.models import Role, Team
from onethread.team.routing import least_busy, next_in_turn, route
from tests.builders import make_journey, make_member, make_team


def test_next_in_turn_wraps_around():
    assert next_in_turn([3, 1, 2], None) == 1
    assert next_in_turn([3, 1, 2], 1) == 2
    assert next_in_turn([3, 1, 2], 3) == 1
    assert next_in_turn([5, 9], 7) == 9  # the last one served left the pool


def test_least_busy_breaks_ties_by_id():
    assert least_busy({4: 2, 7: 1, 9: 1}) == 7


@pytest.mark.django_db
def test_round_robin_is_fair_and_skips_unavailable_members():
    team = make_team()
    sdrs = [make_member(Role.SDR, team=team) for _ in range(4)]
    sdrs[2].is_available = False
    sdrs[2].save()
    make_member(Role.AE, team=team)  # another role never gets SDR work
    served: Counter[int] = Counter()
    for _ in range(30):
        member = route(team, Role.SDR)
        assert member is not None
        served[member.pk] += 1
    assert set(served) == {sdrs[0].pk, sdrs[1].pk, sdrs[3].pk}
    assert max(served.values()) - min(served.values()) <= 1


@pytest.mark.django_db
def test_least_busy_gives_work_to_whoever_has_least_until_even():
    team = make_team()
    team.routing = Team.Routing.LEAST_BUSY
    team.save()
    busy, idle = make_member(Role.SDR, team=team), make_member(Role.SDR, team=team)
    for _ in range(3):
        make_journey(owner=busy)
    picks = []
    for _ in range(5):
        member = route(team, Role.SDR)
        assert member is not None
        picks.append(member)
        make_journey(owner=member)  # the work lands on them
    assert picks[:3] == [idle, idle, idle]
    assert Counter(m.pk for m in picks[3:]) == Counter({busy.pk: 1, idle.pk: 1})


@pytest.mark.django_db
def test_nobody_available_routes_to_nobody():
    team = make_team()
    member = make_member(Role.SDR, team=team)
    assert route(team, Role.SDR, exclude=[member.pk]) is None
