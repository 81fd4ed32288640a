"""Curating, assigning, reading and exporting replays over HTTP."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from onethread.team.models import Member, Role
from onethread.training.models import ReplayAssignment, SavedReplay
from onethread.training.services import assign_replay, save_replay
from onethread.training.tests.stories import Story, churned_story
from tests.builders import PASSWORD, make_member, make_team

pytestmark = pytest.mark.django_db


def client_for(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


@pytest.fixture
def story() -> Story:
    team = make_team("Sales")
    return churned_story(
        make_member(Role.SDR, team=team, username="lena"),
        make_member(Role.AE, team=team, username="alex"),
        make_member(Role.CSM, team=team, username="omar"),
    )


def test_a_manager_keeps_a_replay_with_tags_and_a_lesson(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    client = client_for(manager)

    page = client.get(reverse("journey-replay", args=[story.journey.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('class="moment moment-') == len(story.moments)

    response = client.post(
        reverse("journey-replay", args=[story.journey.pk]),
        {"title": "The promise nobody owned", "tags": "Onboarding, promises", "lesson": "Ask."},
    )
    saved = SavedReplay.objects.get()
    assert response["Location"] == reverse("replay", args=[saved.pk])
    assert (saved.tags, saved.created_by) == (["onboarding", "promises"], manager)


def test_only_managers_keep_replays(story: Story) -> None:
    sdr = Member.objects.get(user__username="lena")
    response = client_for(sdr).post(
        reverse("journey-replay", args=[story.journey.pk]),
        {"title": "Mine", "tags": "", "lesson": "Ask."},
    )
    assert response.status_code == 403
    assert not SavedReplay.objects.exists()


def test_an_assigned_member_outside_the_journey_reads_it_and_reflects(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    saved = save_replay(story.journey, title="Lost in onboarding", lesson="Ask.", by=manager)
    newcomer = make_member(Role.SDR, team=make_team("Newcomers"))
    client = client_for(newcomer)
    assert client.get(reverse("replay", args=[saved.pk])).status_code == 404
    assert client.get(reverse("journey-replay", args=[story.journey.pk])).status_code == 404

    assign_replay(saved, members=[newcomer], by=manager)
    library = client.get(reverse("training"))
    assert "Lost in onboarding" in library.content.decode()
    page = client.get(reverse("replay", args=[saved.pk]))
    assert page.status_code == 200
    assert "Promise broken" in page.content.decode()
    assignment = ReplayAssignment.objects.get(member=newcomer)
    client.post(reverse("replay-read", args=[assignment.pk]))
    client.post(
        reverse("replay-reflect", args=[assignment.pk]), {"reflection": "I'll write it down."}
    )

    assignment.refresh_from_db()
    assert assignment.read_at is not None
    assert assignment.reflection == "I'll write it down."


def test_a_team_assignment_reaches_every_member_once(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    saved = save_replay(story.journey, title="T", lesson="L", by=manager)
    others = make_team("Others")
    first = make_member(Role.SDR, team=others)
    make_member(Role.AE, team=others)

    assign_replay(saved, members=[first], by=manager)
    new = assign_replay(saved, teams=[others], by=manager)

    assert len(new) == 1
    assert ReplayAssignment.objects.filter(member__team=others).count() == 2


def test_someone_elses_assignment_cannot_be_reflected_on(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    saved = save_replay(story.journey, title="T", lesson="L", by=manager)
    sdr = Member.objects.get(user__username="lena")
    (assignment,) = assign_replay(saved, members=[sdr], by=manager)

    response = client_for(manager).post(
        reverse("replay-reflect", args=[assignment.pk]), {"reflection": "Not mine"}
    )
    assert response.status_code == 404


def test_the_export_is_one_self_contained_html_file(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    saved = save_replay(story.journey, title="Lost in onboarding", lesson="Ask.", by=manager)

    response = client_for(manager).get(reverse("replay-export", args=[saved.pk]))

    assert response["Content-Disposition"].startswith("attachment;")
    assert "replay-" in response["Content-Disposition"]
    html = response.content.decode()
    assert "<style>" in html
    assert "@media print" in html
    assert "<link" not in html
    assert "<script" not in html
    assert html.count('class="moment moment-') == len(story.moments)
    returned = next(event for kind, event in story.moments if kind == "returned_handoff")
    link = f"http://testserver/accounts/{story.journey.account_id}/?kind=handoff_returned"
    assert f'{link}#event-{returned.pk}"' in html


def test_the_replay_page_reads_a_bounded_number_of_queries(
    story: Story, django_assert_max_num_queries: object
) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    saved = save_replay(story.journey, title="T", lesson="L", by=manager)
    assign_replay(saved, members=list(Member.objects.exclude(pk=manager.pk)), by=manager)
    client = client_for(manager)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        assert client.get(reverse("replay", args=[saved.pk])).status_code == 200


def test_every_moment_links_to_a_page_that_shows_its_event(story: Story) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    client = client_for(manager)
    page = client.get(reverse("journey-replay", args=[story.journey.pk])).content.decode()
    links = re.findall(r'href="(/accounts/\d+/\?kind=\w+)#event-(\d+)"', page)

    assert [int(event_id) for _, event_id in links] == [event.pk for _, event in story.moments]
    for path, event_id in links:
        assert f'id="event-{event_id}"' in client.get(path).content.decode()


def test_the_library_reads_a_bounded_number_of_queries(
    story: Story, django_assert_max_num_queries: object
) -> None:
    manager = make_member(Role.MANAGER, team=story.journey.team)
    for n in range(5):
        saved = save_replay(story.journey, title=f"Replay {n}", lesson="L", tags=["t"], by=manager)
        assign_replay(saved, members=[manager], by=manager)
    client = client_for(manager)
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        page = client.get(reverse("training"))
    assert page.content.decode().count("Replay 4") == 2  # assigned, and in the library
