import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.services import make_commitment
from onethread.interactions.services import log_interaction
from onethread.journeys.models import Stage
from onethread.journeys.queries import (
    BOARD_PAGE_SIZE,
    BoardFilters,
    first_pages,
    seen_elsewhere,
    stage_counts,
)
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, make_user, stage

pytestmark = pytest.mark.django_db


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


def test_board_shows_a_column_per_stage_with_counts_and_cards(client):
    sdr = make_member(Role.SDR)
    make_journey(owner=sdr, name="Initech", stage_key="qualification")
    make_journey(owner=sdr, name="Umbrella", stage_key="qualification")
    make_journey(owner=sdr, name="Hooli", stage_key="lead")
    login(client, sdr)
    response = client.get(reverse("board"))
    assert response.status_code == 200
    board = response.context["board"]
    counts = {column.stage.key: column.count for column in board.columns}
    assert counts == {
        "lead": 1,
        "qualification": 2,
        "closing": 0,
        "onboarding": 0,
        "adoption": 0,
        "expansion": 0,
    }
    html = response.content.decode()
    for name in ("Initech", "Umbrella", "Hooli"):
        assert name in html


def test_card_shows_owner_days_in_stage_open_needs_and_overdue_promises(client):
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Okafor")
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    journey = make_journey(owner=sdr, name="Initech", at=ten_days_ago)
    capture_need(journey, "SSO", by=sdr.user)
    capture_need(journey, "Audit log", by=sdr.user)
    make_commitment(journey, "Send pricing", by=sdr.user, due_on=dt.date(2020, 1, 1))
    login(client, sdr)
    html = client.get(reverse("board")).content.decode()
    assert "Sam Okafor" in html
    assert "10 days" in html
    assert "2 open needs" in html
    assert "1 overdue promise" in html


def test_board_hides_other_teams_journeys(client):
    mine = make_member(Role.SDR)
    make_journey(owner=make_member(Role.SDR), name="Secret Corp")
    login(client, mine)
    response = client.get(reverse("board"))
    assert "Secret Corp" not in response.content.decode()
    assert sum(column.count for column in response.context["board"].columns) == 0


def test_board_filters_mine_and_source(client):
    sdr = make_member(Role.SDR)
    colleague = make_member(Role.SDR, team=sdr.team)
    make_journey(owner=sdr, name="Mine Ltd", source="referral")
    make_journey(owner=colleague, name="Theirs Ltd", source="website")
    login(client, sdr)
    mine = client.get(reverse("board"), {"scope": "mine"}).content.decode()
    assert "Mine Ltd" in mine
    assert "Theirs Ltd" not in mine
    web = client.get(reverse("board"), {"source": "website"}).content.decode()
    assert "Theirs Ltd" in web
    assert "Mine Ltd" not in web


def test_a_superuser_without_a_member_profile_sees_all_and_owns_nothing(client):
    make_journey(owner=make_member(Role.SDR), name="Somebody's Ltd")
    admin = make_user(is_superuser=True, is_staff=True)
    assert client.login(username=admin.username, password=PASSWORD)
    everything = client.get(reverse("board"))
    assert everything.status_code == 200
    assert "Somebody&#x27;s Ltd" in everything.content.decode()
    for scope in ("mine", "team"):
        response = client.get(reverse("board"), {"scope": scope})
        assert response.status_code == 200
        assert "Somebody" not in response.content.decode()


def test_show_more_pages_a_column_by_key_without_repeats(client):
    sdr = make_member(Role.SDR)
    start = timezone.now() - dt.timedelta(days=100)
    for n in range(BOARD_PAGE_SIZE + 5):
        make_journey(owner=sdr, name=f"Lead {n:02d}", at=start + dt.timedelta(hours=n))
    login(client, sdr)
    first = client.get(reverse("board"))
    column = first.context["board"].columns[0]
    assert [card.account_name for card in column.cards] == [
        f"Lead {n:02d}" for n in range(BOARD_PAGE_SIZE)
    ]
    more = client.get(reverse("board-column", args=["lead"]), {"after": column.next_cursor})
    assert more.status_code == 200
    names = [card.account_name for card in more.context["cards"]]
    assert names == [f"Lead {n:02d}" for n in range(BOARD_PAGE_SIZE, BOARD_PAGE_SIZE + 5)]
    assert more.context["next_cursor"] is None


def test_a_forged_cursor_answers_400(client):
    login(client, make_member())
    response = client.get(reverse("board-column", args=["lead"]), {"after": "not-a-cursor"})
    assert response.status_code == 400


def test_board_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    sdr = make_member(Role.SDR)
    make_journey(owner=sdr)
    login(client, sdr)
    client.get(reverse("board"))  # the first page a process serves reads the reference data
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("board"))
    for key in ("lead", "qualification", "closing", "onboarding", "adoption", "expansion", "lost"):
        for _ in range(4):
            journey = make_journey(owner=sdr, stage_key=key)
            if not journey.is_closed:
                capture_need(journey, "A need", by=sdr.user)
    with django_assert_max_num_queries(8) as many:
        client.get(reverse("board"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_board_needs_a_login(client):
    response = client.get(reverse("board"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_members_columns_merge_their_team_and_what_they_see_elsewhere():
    """The first cards read by team and by id match the column query's."""
    sdr = make_member(Role.SDR)
    csm = make_member(Role.CSM)
    start = timezone.now() - dt.timedelta(days=40)
    for n in range(4):
        make_journey(owner=sdr, at=start + dt.timedelta(days=2 * n))
        make_journey(owner=csm, at=start + dt.timedelta(days=2 * n + 1))  # unseen
        known = make_journey(owner=csm, at=start + dt.timedelta(days=2 * n + 1, hours=1))
        log_interaction(known, channel="call", direction="inbound", summary="hi", by=sdr.user)
        make_journey(owner=csm, stage_key="adoption", at=start + dt.timedelta(days=n))
        watched = make_journey(owner=csm, stage_key="adoption", at=start + dt.timedelta(days=n))
        log_interaction(watched, channel="call", direction="inbound", summary="hi", by=sdr.user)
    stage_ids = [stage.pk for stage in Stage.objects.filter(kind=Stage.Kind.ACTIVE)]
    now = timezone.now()
    for source in (None, "referral", "web"):
        filters = BoardFilters(scope="all", source=source)
        seen = seen_elsewhere(sdr, filters)
        for limit in (1, 3, 20):
            few = seen_elsewhere(sdr, filters, limit=limit)
            merged = first_pages(sdr.user, stage_ids, filters, now=now, limit=limit, elsewhere=few)
            assert merged == first_pages(sdr.user, stage_ids, filters, now=now, limit=limit)
            assert stage_counts(sdr.user, filters, few) == stage_counts(sdr.user, filters)
        assert stage_counts(sdr.user, filters, seen) == stage_counts(sdr.user, filters)
    lead = stage("lead").pk
    everything = BoardFilters()
    first = first_pages(
        sdr.user, stage_ids, everything, now=now, elsewhere=seen_elsewhere(sdr, everything)
    )
    assert len(first[lead][0]) == 8
    assert len(first[stage("adoption").pk][0]) == 4
