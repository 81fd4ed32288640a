"""The handoff health pages: a team's and a member's own, with who may see them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.team.models import Role
from tests.builders import (
    PASSWORD,
    make_journey,
    make_member,
    make_team,
    make_user,
    return_reason,
    transition,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


def hand_off(sdr, ae, sent_at, *, answer=None, after=2 * HOUR, rating=4, missing=(), reason=""):
    """A journey sent from qualification to closing at `sent_at`, answered `after` later."""
    journey = make_journey(owner=sdr, stage_key="qualification", at=sent_at - DAY)
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=transition("qualification", "closing").to_stage,
        to_member=ae,
        override_reason="Customer asked for a quote today",
        at=sent_at,
    )
    if answer == "accept":
        accept_handoff(handoff, by=ae.user, rating=rating, missing=missing, at=sent_at + after)
    elif answer == "return":
        return_handoff(handoff, by=ae.user, reason=return_reason(reason), at=sent_at + after)
    return handoff


@pytest.fixture
def loop():
    """Sales (Lena, an SDR) hands journeys to Closers (Alex, an AE) over four months."""
    now = timezone.now()
    sdr = make_member(Role.SDR, team=make_team("Sales"), username="lena", first_name="Lena")
    ae = make_member(Role.AE, team=make_team("Closers"), username="alex", first_name="Alex")
    hand_off(sdr, ae, now - 100 * DAY, answer="accept", rating=2, missing=["Budget owner"])
    hand_off(sdr, ae, now - 40 * DAY, answer="return", reason="missing_information")
    hand_off(sdr, ae, now - 3 * DAY, answer="accept", rating=5, missing=["budget owner"])
    hand_off(sdr, ae, now - 2 * DAY, answer="accept", after=30 * HOUR, rating=4)
    hand_off(sdr, ae, now - 2 * HOUR)  # still waiting, within its SLA
    return sdr, ae


def test_the_team_page_shows_what_the_next_stage_says_about_our_handoffs(client, loop):
    sdr, _ = loop
    login(client, sdr)
    response = client.get(reverse("team-handoffs", args=[sdr.team_id]), {"months": 12})
    assert response.status_code == 200
    sent = response.context["sent"].report.overall
    assert (sent.sent, sent.accepted, sent.returned, sent.waiting) == (5, 3, 1, 1)
    assert sent.acceptance_rate == 0.75
    assert sent.average_rating == pytest.approx(11 / 3)
    assert sent.median_time_to_accept == 2 * HOUR
    assert sent.overdue == 1  # accepted 30 hours after sending, past the 24-hour SLA
    assert sent.top_missing == (("Budget owner", 2),)
    assert sent.return_reasons == (("Missing information", 1),)
    assert response.context["received"].report.overall.sent == 0
    html = response.content.decode()
    assert "What the next stage says about the handoffs we send" in html
    assert "75 %" in html
    assert 'role="img" aria-label="Acceptance rate by month:' in html
    assert len(response.context["sent"].report.months) == 12


def test_the_receiving_team_sees_the_same_handoffs_as_received(client, loop):
    _, ae = loop
    login(client, ae)
    response = client.get(reverse("team-handoffs", args=[ae.team_id]), {"months": 12})
    assert response.context["sent"].report.overall.sent == 0
    assert response.context["received"].report.overall.accepted == 3


def test_the_period_leaves_out_older_handoffs(client, loop):
    sdr, _ = loop
    login(client, sdr)
    response = client.get(reverse("team-handoffs", args=[sdr.team_id]), {"months": 3})
    # Three calendar months reach back 59 to 92 days: 40 days ago is in, 100 is out.
    assert response.context["sent"].report.overall.sent == 4
    assert len(response.context["sent"].report.months) == 3
    assert response.context["period"].length == 3
    # An unknown period falls back to six months.
    assert (
        client.get(reverse("team-handoffs", args=[sdr.team_id]), {"months": "99"})
        .context["period"]
        .length
        == 6
    )


def test_my_page_shows_my_own_handoffs_as_sender_and_receiver(client, loop):
    sdr, ae = loop
    colleague = make_member(Role.SDR, team=sdr.team)
    hand_off(colleague, ae, timezone.now() - 5 * DAY, answer="accept", rating=1)
    login(client, sdr)
    mine = client.get(reverse("my-handoffs"), {"months": 12}).context
    assert mine["sent"].report.overall.sent == 5
    assert mine["received"].report.overall.sent == 0
    login(client, ae)
    theirs = client.get(reverse("my-handoffs"), {"months": 12}).context
    assert theirs["received"].report.overall.sent == 6
    assert theirs["received"].report.overall.average_rating == pytest.approx(12 / 4)


def test_another_teams_page_answers_404_to_a_member_but_not_to_managers(client, loop):
    sdr, ae = loop
    outsider = make_member(Role.SDR)
    login(client, outsider)
    assert client.get(reverse("team-handoffs", args=[sdr.team_id])).status_code == 404
    assert client.get(reverse("team-handoffs", args=[999_999])).status_code == 404
    login(client, ae)
    assert client.get(reverse("team-handoffs", args=[sdr.team_id])).status_code == 404
    login(client, make_member(Role.MANAGER))
    assert client.get(reverse("team-handoffs", args=[sdr.team_id])).status_code == 200
    login(client, make_member(Role.ADMIN))
    assert client.get(reverse("team-handoffs", args=[sdr.team_id])).status_code == 200


def test_someone_who_is_not_a_member_has_no_handoffs_of_their_own(client):
    user = make_user()
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("my-handoffs")).status_code == 404


def test_query_counts_do_not_grow_with_the_handoffs(client, django_assert_max_num_queries):
    now = timezone.now()
    quiet = make_member(Role.SDR, team=make_team("Quiet"))
    busy = make_member(Role.SDR, team=make_team("Busy"))
    ae = make_member(Role.AE, team=make_team("Receivers"))
    hand_off(quiet, ae, now - 10 * DAY, answer="accept")
    for days in range(1, 9):
        hand_off(busy, ae, now - days * 20 * DAY, answer="accept", missing=[f"Item {days}"])
    counts = []
    for member in (quiet, busy):
        login(client, member)
        for url in (reverse("team-handoffs", args=[member.team_id]), reverse("my-handoffs")):
            with django_assert_max_num_queries(12) as queries:
                assert client.get(url, {"months": 12}).status_code == 200
            counts.append(len(queries.captured_queries))
    assert counts[:2] == counts[2:]


def test_the_navigation_and_the_inbox_link_to_handoff_health(client):
    sdr = make_member(Role.SDR)
    login(client, sdr)
    html = client.get(reverse("board")).content.decode()
    assert f'href="{reverse("team-handoffs", args=[sdr.team_id])}"' in html
    inbox = client.get(reverse("handoff-inbox")).content.decode()
    links = inbox[inbox.index('class="small health-links"') :]
    assert f'href="{reverse("my-handoffs")}"' in links
    assert f'href="{reverse("team-handoffs", args=[sdr.team_id])}"' in links
