import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, Max, Q
from django.test import TestCase

from onethread.commitments.models import Commitment
from onethread.deals.models import Deal
from onethread.demo import company
from onethread.demo.seed import SeedSummary, seed_demo_company
from onethread.interactions.models import Interaction
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.journeys.stages import DEFAULT_STAGES
from onethread.needs.models import Need
from onethread.team.models import Member, Role, Team
from tests.builders import make_journey

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
EVERY_STAGE = {key for key, *_ in DEFAULT_STAGES}


class TestASmallDemoCompany(TestCase):
    """Forty accounts, seeded once for these tests."""

    summary: SeedSummary

    @classmethod
    def setUpTestData(cls) -> None:
        cls.summary = seed_demo_company(now=NOW, accounts=40)

    def test_demo_company_has_every_stage_outcome_and_role(self):
        summary = self.summary
        assert summary.seeded
        assert (summary.accounts, summary.journeys) == (40, 40)
        assert set(Journey.objects.values_list("stage__key", flat=True)) == EVERY_STAGE
        members = Member.objects.select_related("team")
        assert members.count() >= 12
        assert {member.role for member in members} == set(Role.values)
        assert set(Team.objects.values_list("name", flat=True)) == set(company.TEAM_NAMES)

    def test_event_log_agrees_with_the_records(self):
        captured = Counter(
            JourneyEvent.objects.filter(kind=EventKind.NEED_CAPTURED).values_list(
                "payload__need_id", flat=True
            )
        )
        assert captured == Counter(Need.objects.values_list("pk", flat=True))
        logged = Counter(
            JourneyEvent.objects.filter(kind=EventKind.INTERACTION_LOGGED).values_list(
                "payload__interaction_id", flat=True
            )
        )
        assert logged == Counter(Interaction.objects.values_list("pk", flat=True))
        for journey in Journey.objects.select_related("stage"):
            last_move = journey.events.filter(kind=EventKind.STAGE_ENTERED).latest("id")
            assert last_move.payload["to"] == journey.stage.key
        closed = Journey.objects.filter(closed_at__isnull=False)
        assert closed.exists()
        assert not closed.filter(outcome_reason="").exists()

    def test_every_journey_is_told_in_time_order_before_now(self):
        for journey in Journey.objects.all():
            times = list(journey.events.order_by("id").values_list("occurred_at", flat=True))
            assert times == sorted(time for time in times if time is not None), journey
        assert JourneyEvent.objects.aggregate(last=Max("occurred_at"))["last"] <= NOW
        assert not JourneyEvent.objects.filter(occurred_at__isnull=True).exists()

    def test_journeys_are_owned_by_the_role_of_their_stage_and_customers_bought(self):
        expected_roles = {
            "lead": {Role.LEAD_GENERATION, Role.SDR},
            "qualification": {Role.SDR},
            "closing": {Role.AE},
            "onboarding": {Role.ONBOARDING},
            "adoption": {Role.CSM},
            "expansion": {Role.CSM},
        }
        for journey in Journey.objects.select_related("stage", "owner").filter(closed_at=None):
            assert journey.owner is not None
            assert journey.owner.role in expected_roles[journey.stage.key], journey
        customers = Journey.objects.filter(won_at__isnull=False)
        assert customers.exists()
        won = Q(deals__kind=Deal.Kind.NEW_BUSINESS, deals__status=Deal.Status.WON)
        assert not customers.annotate(won=Count("deals", filter=won)).filter(won=0).exists()
        lost = Journey.objects.filter(stage__key="lost").prefetch_related("deals")
        assert lost.exists()
        for journey in lost:
            assert [deal.lost_reason for deal in journey.deals.all()] == [journey.outcome_reason]
        assert Need.objects.filter(status=Need.Status.ADDRESSED, product=None).count() == 0
        assert Commitment.objects.filter(status=Commitment.Status.KEPT).exists()


def test_seeding_is_deterministic():
    def seed_and_forget() -> tuple[list[str], Counter[str], int]:
        with transaction.atomic():
            seed_demo_company(now=NOW, accounts=20)
            result = (
                list(
                    Journey.objects.order_by("account__name").values_list(
                        "account__name", flat=True
                    )
                ),
                Counter(Journey.objects.values_list("stage__key", flat=True)),
                JourneyEvent.objects.count(),
            )
            transaction.set_rollback(True)
        return result

    first = seed_and_forget()
    assert Journey.objects.count() == 0
    assert seed_and_forget() == first


def test_seeding_does_nothing_when_the_database_holds_a_journey():
    make_journey()
    summary = seed_demo_company(now=NOW, accounts=40)
    assert not summary.seeded
    assert summary.message == "Nothing seeded: the database already holds journeys."
    assert (summary.journeys, summary.members) == (1, 0)
    assert not Team.objects.filter(name__in=company.TEAM_NAMES).exists()


def test_demo_logins_sign_in_and_ada_can_administer(client):
    seed_demo_company(now=NOW, accounts=0)
    for username, *_ in company.DEMO_LOGINS:
        assert client.login(username=username, password=company.DEMO_PASSWORD), username
    ada = Member.objects.get(user__username="ada")
    assert ada.role == Role.ADMIN
    assert ada.user.is_staff
    assert ada.user.is_superuser
    client.force_login(ada.user)
    assert client.get("/admin/").status_code == 200
