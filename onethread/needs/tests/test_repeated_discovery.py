import pytest

from onethread.journeys.models import EventKind
from onethread.journeys.services import move_stage
from onethread.needs.models import Need
from onethread.needs.services import PossibleRepeat, capture_need
from onethread.needs.similarity import REPEAT_THRESHOLD, normalise, similarity
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage


@pytest.mark.parametrize(
    ("known", "asked_again"),
    [
        (
            "Consolidated reporting across all warehouses",
            "They want consolidated reports across every warehouse",
        ),
        (
            "One dashboard for all twelve warehouses, refreshed hourly",
            "Hourly refreshed dashboard covering all 12 warehouses",
        ),
        ("Support in German and English", "Support in English and German during shift hours"),
    ],
)
def test_the_same_need_in_other_words_is_recognised(known, asked_again):
    assert similarity(known, asked_again) >= REPEAT_THRESHOLD


@pytest.mark.parametrize(
    ("one", "other"),
    [("SSO with Azure AD", "Export invoices to SAP"), ("Needs an audit log", "Faster page loads")],
)
def test_different_needs_are_not_confused(one, other):
    assert similarity(one, other) < REPEAT_THRESHOLD


def test_normalising_drops_case_accents_punctuation_and_filler():
    assert normalise("They NEED: Réporting, for the warehouses!") == "reporting warehouses"


@pytest.mark.django_db
class TestAfterAHandoff:
    def journey_in_closing(self):
        sdr = make_member(Role.SDR)
        ae = make_member(Role.AE, team=sdr.team)
        journey = make_journey(owner=sdr, stage_key="qualification")
        known = capture_need(journey, "Consolidated reporting across all warehouses", by=sdr.user)
        journey = move_stage(journey, stage("closing"), by=sdr.user)
        return journey, known, ae

    def test_a_need_known_from_an_earlier_stage_is_shown_before_saving(self):
        journey, known, ae = self.journey_in_closing()
        with pytest.raises(PossibleRepeat) as shown:
            capture_need(journey, "Consolidated reports across every warehouse", by=ae.user)
        assert shown.value.matches[0][0] == known
        assert "Already known from Qualification" in str(shown.value)
        assert Need.objects.filter(journey=journey).count() == 1

    def test_saving_the_same_need_anyway_records_repeated_discovery(self):
        journey, known, ae = self.journey_in_closing()
        need = capture_need(
            journey, "Consolidated reports across every warehouse", by=ae.user, repeat="same"
        )
        event = journey.events.get(kind=EventKind.REPEATED_DISCOVERY)
        assert event.payload["need_id"] == need.pk
        assert event.payload["repeats_need_id"] == known.pk
        assert event.payload["known_since_stage"] == "qualification"
        assert event.actor == ae.user

    def test_a_different_need_is_saved_without_a_repeat(self):
        journey, _, ae = self.journey_in_closing()
        capture_need(
            journey, "Consolidated reports across every warehouse", by=ae.user, repeat="different"
        )
        assert not journey.events.filter(kind=EventKind.REPEATED_DISCOVERY).exists()

    def test_an_unrelated_need_is_saved_straight_away(self):
        journey, _, ae = self.journey_in_closing()
        capture_need(journey, "Single sign-on with Okta", by=ae.user)
        assert Need.objects.filter(journey=journey).count() == 2

    def test_needs_of_the_current_stage_are_not_repeats(self):
        sdr = make_member(Role.SDR)
        journey = make_journey(owner=sdr, stage_key="qualification")
        capture_need(journey, "Consolidated reporting across all warehouses", by=sdr.user)
        capture_need(journey, "Consolidated reports across every warehouse", by=sdr.user)
        assert Need.objects.filter(journey=journey).count() == 2
