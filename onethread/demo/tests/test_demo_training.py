"""The demo's training step, on a handful of explicit journeys (not the full demo)."""

import pytest
from django.utils import timezone

from onethread.demo.training import PLAYBOOKS, add_training
from onethread.journeys.services import move_stage
from onethread.team.models import Member, Role
from onethread.training.models import Goal, Playbook, ReplayAssignment, SavedReplay, Shadowing
from onethread.training.tests.stories import churned_story
from tests.builders import make_journey, make_member, make_team, stage, transition

pytestmark = pytest.mark.django_db


def cast() -> dict[str, Member]:
    sales, success = make_team("New Business"), make_team("Customer Success")
    roles = {
        "nina": (Role.MANAGER, sales),
        "sam": (Role.SDR, sales),
        "sofia": (Role.SDR, sales),
        "alex": (Role.AE, sales),
        "maya": (Role.AE, sales),
        "tom": (Role.MANAGER, success),
        "omar": (Role.ONBOARDING, success),
        "chris": (Role.CSM, success),
    }
    return {
        name: make_member(role, team=team, username=name, first_name=name.title())
        for name, (role, team) in roles.items()
    }


def test_the_demo_gets_playbooks_a_curated_library_and_assignments() -> None:
    members = cast()
    transition("qualification", "closing")
    quiet = make_journey(owner=members["chris"], stage_key="onboarding", name="Quiet Ltd")
    move_stage(quiet, stage("churned"), by=None, reason="Budget cut")
    loud = churned_story(members["sam"], members["alex"], members["chris"], name="Globex")
    make_journey(owner=members["alex"], stage_key="lost", name="Initech")
    make_journey(owner=members["chris"], stage_key="expansion", name="Hooli")
    onboarding = make_journey(owner=members["omar"], stage_key="onboarding", name="Umbrella")
    make_journey(owner=members["chris"], stage_key="adoption", name="Acme")

    add_training(members, timezone.now())

    assert set(Playbook.objects.values_list("stage__key", flat=True)) == set(PLAYBOOKS)
    qualification = Playbook.objects.get(stage__key="qualification")
    assert [i.contract_item is not None for i in qualification.items.all()] == [True, True, False]
    titles = list(SavedReplay.objects.order_by("created_at").values_list("title", flat=True))
    assert titles == [
        "Globex: churned after the sale",  # the most context lost comes first
        "Quiet Ltd: churned after the sale",
        "Initech: lost before the signature",
        "Hooli: a thread that held",
    ]
    globex = SavedReplay.objects.get(journey=loud.journey)
    assert {"churned", "returned-handoff", "broken-promise"} <= set(globex.tags)
    assert "Context was lost 6 times" in globex.lesson
    assert SavedReplay.objects.get(journey=quiet).lesson.startswith("Nothing was lost")
    reflected = ReplayAssignment.objects.exclude(reflection="")
    assert [(a.member, a.replay) for a in reflected] == [(members["sam"], globex)]
    assert ReplayAssignment.objects.filter(replay=globex, member=members["omar"]).exists()
    running, closed = Shadowing.objects.order_by("-ends_on")
    assert (running.member, running.stage.key, running.closed_at) == (
        members["sam"],
        "onboarding",
        None,
    )
    assert running.is_running(timezone.localdate())
    assert [f.journey for f in running.followed.all()] == [onboarding]
    assert (closed.member, closed.stage.key) == (members["maya"], "adoption")
    assert closed.reflection
    goals = Goal.objects.order_by("id")
    assert [(g.team.name, g.member, g.measure) for g in goals][:3] == [
        ("New Business", None, "handoff_rating"),
        ("New Business", None, "deals_won"),
        ("New Business", members["sam"], "promises_kept"),
    ]
    assert {g.team.name for g in goals if g.member == members["chris"]} == {"Customer Success"}
    assert all(g.starts_on <= timezone.localdate() <= g.ends_on for g in goals)
