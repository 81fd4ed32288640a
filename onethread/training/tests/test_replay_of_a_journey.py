"""The replay of a journey written through the services, read from the database."""

import pytest
from django.utils import timezone

from onethread.team.models import Role
from onethread.training.queries import replay_of
from onethread.training.tests.stories import churned_story
from tests.builders import make_journey, make_member, make_team

pytestmark = pytest.mark.django_db


def test_the_replay_lists_stages_people_needs_promises_and_every_moment_linked_to_its_event() -> (
    None
):
    team = make_team("Sales")
    sdr = make_member(Role.SDR, team=team, username="lena", first_name="Lena", last_name="P")
    ae = make_member(Role.AE, team=team, username="alex", first_name="Alex", last_name="M")
    csm = make_member(Role.CSM, team=team, username="omar", first_name="Omar", last_name="K")
    story = churned_story(sdr, ae, csm)

    replay = replay_of(story.journey, now=timezone.now())

    assert [chapter.stage.key for chapter in replay.chapters] == [
        "lead",
        "qualification",
        "closing",
        "onboarding",
    ]
    assert replay.people == ["Lena P", "Alex M", "Omar K"]
    assert [need.statement for need in replay.needs] == ["Ship to 12 warehouses every week"] * 2
    assert [(p.promise, p.owner, p.status) for p in replay.promises] == [
        ("Live in two weeks", "Omar K", "broken")
    ]
    assert [h.status for h in replay.handoffs] == ["returned", "accepted"]
    assert all(h.brief is not None for h in replay.handoffs)
    assert replay.outcome is not None
    assert replay.outcome.reason == "Never went live"
    assert [(m.kind, m.event_id) for m in replay.moments] == [
        (kind, event.pk) for kind, event in story.moments
    ]


def test_a_journey_with_no_loss_of_context_has_no_moments() -> None:
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")

    replay = replay_of(journey, now=timezone.now())

    assert [chapter.stage.key for chapter in replay.chapters] == ["lead", "qualification"]
    assert replay.moments == []
