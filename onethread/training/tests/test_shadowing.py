"""Cross-training: a shadowing member reads the journeys they follow during the
period, read-only and audited, and not after it — on the page and the API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onethread.api.tests.apiclient import Api, issue_key
from onethread.journeys.models import Journey, JourneyEvent
from onethread.team.models import Member, Role
from onethread.training.models import Shadowing, ShadowRead
from onethread.training.services import add_shadowing_note, assign_shadowing, close_shadowing
from tests.builders import PASSWORD, make_journey, make_member, make_team, stage

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def client_for(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def shadow(member: Member, journeys: list[Journey], *, days: int = 14) -> Shadowing:
    manager = make_member(Role.MANAGER, team=journeys[0].team)
    today = timezone.localdate()
    return assign_shadowing(
        member,
        stage("onboarding"),
        starts_on=today - DAY,
        ends_on=today - DAY + dt.timedelta(days=days),
        journeys=journeys,
        by=manager,
    )


@pytest.fixture
def onboarding() -> Journey:
    csm = make_member(Role.ONBOARDING, team=make_team("Customer success"))
    return make_journey(owner=csm, stage_key="onboarding", name="Initech")


@pytest.fixture
def sdr() -> Member:
    return make_member(Role.SDR, team=make_team("Sales"), username="sdr")


def test_a_shadowing_member_reads_the_followed_journey_during_the_period_and_not_after(
    onboarding: Journey, sdr: Member
) -> None:
    page = reverse("account-thread", args=[onboarding.account_id])
    client, api = client_for(sdr), Api(issue_key(sdr.user), Client())
    assert client.get(page).status_code == 404
    assert api.get(f"/journeys/{onboarding.pk}").status_code == 404

    shadowing = shadow(sdr, [onboarding])

    read = client.get(page)
    assert read.status_code == 200
    assert "read-only, and the read is recorded" in read.content.decode()
    response = api.get(f"/journeys/{onboarding.pk}")
    assert response.status_code == 200
    assert response.json()["account"]["name"] == "Initech"
    assert api.get(f"/journeys/{onboarding.pk}/timeline").status_code == 200
    assert list(ShadowRead.objects.values_list("via", flat=True).order_by("id")) == [
        "page",
        "api",
        "api",
    ]

    shadowing.ends_on = timezone.localdate() - DAY
    shadowing.save()
    assert client.get(page).status_code == 404
    assert api.get(f"/journeys/{onboarding.pk}").status_code == 404
    assert api.get(f"/journeys/{onboarding.pk}/timeline").status_code == 404
    assert ShadowRead.objects.count() == 3


def test_shadowing_grants_reading_only(onboarding: Journey, sdr: Member) -> None:
    shadow(sdr, [onboarding])
    events = JourneyEvent.objects.filter(journey=onboarding).count()

    note = client_for(sdr).post(reverse("add-note", args=[onboarding.pk]), {"text": "Hi"})
    moved = Api(issue_key(sdr.user), Client()).post(
        f"/journeys/{onboarding.pk}/stage",
        {"stage": "adoption", "expected_version": onboarding.version},
    )

    assert note.status_code == 404
    assert moved.status_code == 404
    assert JourneyEvent.objects.filter(journey=onboarding).count() == events


def test_only_the_followed_journeys_open_and_a_closed_shadowing_opens_none(
    onboarding: Journey, sdr: Member
) -> None:
    other = make_journey(owner=onboarding.owner, stage_key="onboarding", name="Hooli")
    shadowing = shadow(sdr, [onboarding])
    client = client_for(sdr)
    assert client.get(reverse("account-thread", args=[other.account_id])).status_code == 404

    close_shadowing(shadowing, "Onboarding waits on our notes.")
    assert client.get(reverse("account-thread", args=[onboarding.account_id])).status_code == 404


def test_the_member_takes_notes_and_closes_it_with_a_reflection(
    onboarding: Journey, sdr: Member
) -> None:
    shadowing = shadow(sdr, [onboarding])
    client = client_for(sdr)
    client.post(reverse("shadowing-note", args=[shadowing.pk]), {"text": "Kick-off takes 3 calls"})
    client.post(reverse("shadowing-close", args=[shadowing.pk]), {"reflection": "Qualify harder."})

    shadowing.refresh_from_db()
    assert [note.text for note in shadowing.notes.all()] == ["Kick-off takes 3 calls"]
    assert shadowing.reflection == "Qualify harder."
    assert shadowing.closed_at is not None
    with pytest.raises(ValidationError):
        add_shadowing_note(shadowing, "Too late")


def test_an_empty_note_or_a_note_on_a_closed_shadowing_is_refused_and_nothing_is_written(
    onboarding: Journey, sdr: Member
) -> None:
    shadowing = shadow(sdr, [onboarding])
    client = client_for(sdr)
    note_url = reverse("shadowing-note", args=[shadowing.pk])

    assert client.post(note_url, {"text": ""}).status_code == 422
    close_shadowing(shadowing, "Done.")
    refused = client.post(note_url, {"text": "After the end"})

    assert refused.status_code == 422
    assert "Closed " in refused.content.decode()  # the page shows why: it has ended
    assert not shadowing.notes.exists()


def test_managers_see_who_has_been_exposed_to_which_stages(
    onboarding: Journey, sdr: Member
) -> None:
    shadowing = shadow(sdr, [onboarding])
    manager = make_member(Role.MANAGER, team=sdr.team)
    page = client_for(manager).get(reverse("shadowings")).content.decode()
    assert "Who has been exposed to which stages" in page
    assert f"{reverse('shadowing', args=[shadowing.pk])}" in page
    assert "Onboarding" in page


def test_a_period_must_be_sensible(onboarding: Journey, sdr: Member) -> None:
    manager = make_member(Role.MANAGER)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        assign_shadowing(
            sdr,
            stage("onboarding"),
            starts_on=today,
            ends_on=today - DAY,
            journeys=[onboarding],
            by=manager,
        )
    with pytest.raises(ValidationError):
        assign_shadowing(
            sdr,
            stage("churned"),
            starts_on=today,
            ends_on=today,
            journeys=[onboarding],
            by=manager,
        )
    with pytest.raises(ValidationError):
        assign_shadowing(
            sdr, stage("onboarding"), starts_on=today, ends_on=today, journeys=[], by=manager
        )


def test_a_manager_assigns_a_shadowing_from_the_page(onboarding: Journey, sdr: Member) -> None:
    manager = make_member(Role.MANAGER, team=onboarding.team)
    today = timezone.localdate()

    response = client_for(manager).post(
        reverse("shadowings"),
        {
            "member": sdr.pk,
            "stage": stage("onboarding").pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + 14 * DAY).isoformat(),
            "journeys": [onboarding.pk],
        },
    )

    shadowing = Shadowing.objects.get()
    assert response["Location"] == reverse("shadowing", args=[shadowing.pk])
    assert (shadowing.member, shadowing.assigned_by) == (sdr, manager)
    assert [f.journey for f in shadowing.followed.all()] == [onboarding]


def test_members_cannot_assign_shadowings(onboarding: Journey, sdr: Member) -> None:
    response = client_for(sdr).post(reverse("shadowings"), {"member": sdr.pk})
    assert response.status_code == 403
    assert not Shadowing.objects.exists()


def test_the_manager_sees_the_reads_the_shadowing_allowed(onboarding: Journey, sdr: Member) -> None:
    shadowing = shadow(sdr, [onboarding])
    reader = client_for(sdr)
    for _ in range(2):
        reader.get(reverse("account-thread", args=[onboarding.account_id]))
    Api(issue_key(sdr.user), Client()).get(f"/journeys/{onboarding.pk}")

    page = client_for(shadowing.assigned_by).get(reverse("shadowing", args=[shadowing.pk]))

    assert "Initech: 2 reads (page)" in page.content.decode()
    assert "Initech: 1 read (api)" in page.content.decode()
