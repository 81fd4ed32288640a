"""The Goals page, a member's goals, and "does it work?" over HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onethread.handoffs.services import accept_handoff, send_handoff
from onethread.insights.services import refresh_insights
from onethread.team.models import Member, Role, Team
from onethread.training.models import Goal
from onethread.training.queries import trainings
from onethread.training.services import (
    assign_replay,
    assign_shadowing,
    close_shadowing,
    mark_replay_read,
    save_replay,
    set_goal,
)
from onethread.training.tests.test_shadowing import client_for
from tests.builders import make_journey, make_member, make_team, stage, transition

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def team() -> Team:
    return make_team("Sales")


@pytest.fixture
def manager(team: Team) -> Member:
    return make_member(Role.MANAGER, team=team, first_name="Mia")


def a_goal(team: Team, by: Member, member: Member | None = None, measure: str = "deals_won"):
    today = timezone.localdate()
    return set_goal(
        team=team,
        member=member,
        measure=measure,
        target=Decimal("4"),
        starts_on=today - 10 * DAY,
        ends_on=today + 20 * DAY,
        by=by,
    )


def test_a_manager_sets_a_team_goal_and_sees_its_progress(team: Team, manager: Member) -> None:
    ae = make_member(Role.AE, team=team)
    make_journey(owner=ae, stage_key="onboarding")  # won today: one deal of four
    today = timezone.localdate()
    client = client_for(manager)

    response = client.post(
        reverse("goals"),
        {
            "measure": "deals_won",
            "target": "4",
            "starts_on": (today - DAY).isoformat(),
            "ends_on": (today + 30 * DAY).isoformat(),
        },
    )

    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.team, goal.member, goal.set_by) == (team, None, manager)
    refresh_insights()  # the worker's periodic refresh
    page = client.get(reverse("goals")).content.decode()
    assert "Deals won" in page
    assert 'value="0.250"' in page  # one of four


def test_a_member_sees_their_goals_and_their_teams_not_a_colleagues(
    team: Team, manager: Member
) -> None:
    sdr = make_member(Role.SDR, team=team, first_name="Sam")
    colleague = make_member(Role.SDR, team=team, first_name="Kim")
    a_goal(team, manager)
    a_goal(team, manager, member=sdr, measure="handoff_rating")
    a_goal(team, manager, member=colleague, measure="promises_kept")
    a_goal(make_team("Elsewhere"), make_member(Role.ADMIN), measure="retention")
    client = client_for(sdr)

    page = client.get(reverse("goals")).content.decode()
    assert "Deals won" in page
    assert "Handoff rating from the next stage" in page
    assert "Promises kept" not in page
    assert "still customers" not in page
    assert "Set the goal" not in page
    mine = client.get(reverse("member-goals", args=[sdr.pk]))
    assert mine.status_code == 200
    assert client.get(reverse("member-goals", args=[colleague.pk])).status_code == 404
    assert client.post(reverse("goals"), {"measure": "deals_won"}).status_code == 403
    assert client_for(manager).get(reverse("member-goals", args=[colleague.pk])).status_code == 200


def test_does_it_work_shows_too_few_handoffs_and_is_for_managers(
    team: Team, manager: Member
) -> None:
    sdr = make_member(Role.SDR, team=team, first_name="Sam")
    ae = make_member(Role.AE, team=team)
    now = timezone.now()
    journey = make_journey(owner=sdr, stage_key="qualification", at=now - 20 * DAY)
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=transition("qualification", "closing").to_stage,
        to_member=ae,
        override_reason="test",
        at=now - 10 * DAY,
    )
    accept_handoff(handoff, by=ae.user, rating=4, at=now - 9 * DAY)
    replay = save_replay(journey, title="Globex", lesson="Listen.", by=manager)
    [assignment] = assign_replay(replay, members=[sdr], by=manager)
    mark_replay_read(assignment, at=now - 5 * DAY)

    page = client_for(manager).get(reverse("training-effect"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Read “Globex”" in html
    assert "4.00" in html  # the rating before, from one handoff
    assert "(1 rated)" in html
    assert "Too few handoffs to compare" in html
    assert client_for(sdr).get(reverse("training-effect")).status_code == 403
    library = client_for(manager).get(reverse("training")).content.decode()
    assert reverse("goals") in library
    assert reverse("training-effect") in library


def test_the_goals_page_reads_the_same_queries_for_one_goal_or_many(
    team: Team, manager: Member
) -> None:
    client = client_for(manager)
    a_goal(team, manager)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("goals")).status_code == 200
    for measure in ("handoff_rating", "promises_kept", "retention", "activation"):
        a_goal(team, manager, measure=measure)
    a_goal(team, manager, member=make_member(Role.SDR, team=team), measure="leads_qualified")
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("goals"))
    assert page.content.decode().count("<meter") + page.content.decode().count("nothing yet") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_a_shadowing_closed_early_ends_when_it_was_closed(team: Team, manager: Member) -> None:
    sdr = make_member(Role.SDR, team=team, first_name="Sam")
    journey = make_journey(owner=make_member(Role.ONBOARDING, team=team), stage_key="onboarding")
    today = timezone.localdate()
    running = assign_shadowing(
        sdr,
        stage("onboarding"),
        starts_on=today - 3 * DAY,
        ends_on=today + 10 * DAY,
        journeys=[journey],
        by=manager,
    )
    closed = assign_shadowing(
        sdr,
        stage("onboarding"),
        starts_on=today - 20 * DAY,
        ends_on=today + 5 * DAY,
        journeys=[journey],
        by=manager,
    )
    closed = close_shadowing(closed, "Learned a lot.", at=timezone.now() - DAY)

    found = {t.started_at.date(): t for t in trainings(Member.objects.filter(pk=sdr.pk))}

    tz = timezone.get_current_timezone()
    first = found[today - 3 * DAY]
    assert first.ended_at == dt.datetime.combine(today + 11 * DAY, dt.time(), tzinfo=tz)
    assert running.closed_at is None
    assert found[today - 20 * DAY].ended_at == closed.closed_at
