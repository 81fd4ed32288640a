"""The handoff inbox: for me, sent by me, my team; overdue highlighted on
every side; the count in the navigation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, return_reason, stage

pytestmark = pytest.mark.django_db


def login(client, member):
    client.logout()
    assert client.login(username=member.user.username, password=PASSWORD)


def send(sdr, ae, name, *, hours_ago=0.0):
    journey = make_journey(owner=sdr, stage_key="qualification", name=name)
    return send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        override_reason="Quote requested",
        at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def rows(html):
    """The account names in the table, in order."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [part.split("</a>")[0].split(">")[-1] for part in body.split("<tr")[1:]]


@pytest.fixture
def team():
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Okafor")
    ae = make_member(Role.AE, team=sdr.team, first_name="Alex", last_name="Novak")
    other_ae = make_member(Role.AE, team=sdr.team, first_name="Maya", last_name="Lind")
    manager = make_member(Role.MANAGER, team=sdr.team, first_name="Nina", last_name="Duarte")
    return sdr, ae, other_ae, manager


def test_for_me_lists_what_waits_for_me_soonest_due_first(client, team):
    sdr, ae, other_ae, _ = team
    send(sdr, ae, "Fresh")
    send(sdr, ae, "Overdue", hours_ago=30)
    send(sdr, ae, "Older", hours_ago=5)
    send(sdr, other_ae, "Not mine")
    answered = send(sdr, ae, "Answered")
    accept_handoff(answered, by=ae.user, rating=4)
    login(client, ae)
    response = client.get(reverse("handoff-inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == ["Overdue", "Older", "Fresh"]
    assert html.count('<tr class="overdue">') == 1
    assert "Overdue by 6 h" in html
    assert "My team" not in html  # managers only


def test_sent_by_me_lists_every_state_newest_first_and_highlights_the_overdue(client, team):
    sdr, ae, _, _ = team
    send(sdr, ae, "Late one", hours_ago=26)
    returned = send(sdr, ae, "Returned one", hours_ago=3)
    return_handoff(returned, by=ae.user, reason=return_reason(), comment="Who decides?")
    send(sdr, ae, "New one")
    login(client, sdr)
    html = client.get(reverse("handoff-inbox"), {"box": "sent"}).content.decode()
    assert rows(html) == ["New one", "Returned one", "Late one"]
    assert "Missing information" in html
    assert html.count('<tr class="overdue">') == 1
    assert "Overdue by 2 h" in html


def test_my_team_shows_managers_every_pending_handoff_to_their_team_overdue_first(client, team):
    sdr, ae, other_ae, manager = team
    send(sdr, ae, "Alex's")
    send(sdr, other_ae, "Maya's late", hours_ago=40)
    outsider = make_member(Role.AE)
    send(make_member(Role.SDR, team=outsider.team), outsider, "Another team's")
    login(client, manager)
    html = client.get(reverse("handoff-inbox"), {"box": "team"}).content.decode()
    assert "My team" in html
    assert rows(html) == ["Maya&#x27;s late", "Alex&#x27;s"]
    assert html.count('<tr class="overdue">') == 1


def test_a_member_asking_for_the_team_tab_gets_their_own_inbox(client, team):
    sdr, ae, other_ae, _ = team
    send(sdr, other_ae, "Maya's")
    login(client, ae)
    html = client.get(reverse("handoff-inbox"), {"box": "team"}).content.decode()
    assert "Nothing waits for you." in html


def test_the_navigation_counts_what_waits_for_me(client, team):
    sdr, ae, _, _ = team
    send(sdr, ae, "One")
    send(sdr, ae, "Two")
    login(client, ae)
    html = client.get(reverse("board")).content.decode()
    assert (
        'Handoffs <span class="nav-count">2<span class="visually-hidden"> waiting for you' in html
    )
    login(client, sdr)
    html = client.get(reverse("board")).content.decode()
    assert ">Handoffs</a>" in html  # nothing waits for the sender


def test_the_inbox_runs_the_same_queries_whatever_the_number_of_handoffs(
    client, team, django_assert_max_num_queries
):
    sdr, ae, other_ae, manager = team
    send(sdr, ae, "Only one")
    login(client, ae)
    counts = {}
    for box in ["received", "sent", "team"]:
        with django_assert_max_num_queries(8) as queries:
            assert client.get(reverse("handoff-inbox"), {"box": box}).status_code == 200
        counts[box] = len(queries.captured_queries)
    for n in range(12):
        send(sdr, ae if n % 2 else other_ae, f"Account {n}", hours_ago=n * 3)
    for box in ["received", "sent", "team"]:
        with django_assert_max_num_queries(8) as queries:
            assert client.get(reverse("handoff-inbox"), {"box": box}).status_code == 200
        assert len(queries.captured_queries) == counts[box]
    login(client, manager)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("handoff-inbox"), {"box": "team"}).status_code == 200
