"""Every account-team seat keeps its journey's team, however the seat is
written and however the journey changes team; the board finds a member's
journeys outside their team through it."""

import pytest
from django.db import connection
from django.utils import timezone

from onethread.interactions.services import log_interaction
from onethread.journeys.models import AccountTeamMember, Journey, Stage
from onethread.journeys.queries import BoardFilters, board, seen_elsewhere
from onethread.journeys.seats import fill_seat_teams
from onethread.journeys.services import assign_owner
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_team

pytestmark = pytest.mark.django_db


def seat_teams(journey: Journey) -> set[int | None]:
    return set(
        AccountTeamMember.objects.filter(journey=journey).values_list("journey_team_id", flat=True)
    )


def test_a_new_seat_takes_its_journeys_team():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae)
    sdr = make_member(Role.SDR)
    log_interaction(journey, channel="call", direction="inbound", summary="hi", by=sdr.user)
    assert AccountTeamMember.objects.filter(journey=journey, member=sdr).exists()
    assert seat_teams(journey) == {ae.team_id}


def test_seats_follow_their_journey_to_another_team():
    ae = make_member(Role.AE)
    csm = make_member(Role.CSM)
    journey = make_journey(owner=ae)
    assign_owner(journey, csm, by=ae.user)
    assert seat_teams(journey) == {csm.team_id}
    elsewhere = make_team()
    Journey.objects.filter(pk=journey.pk).update(team=elsewhere)
    assert seat_teams(journey) == {elsewhere.pk}


def test_a_seat_cannot_hold_another_team():
    ae = make_member(Role.AE)
    journey = make_journey(owner=ae)
    AccountTeamMember.objects.filter(journey=journey).update(journey_team=make_team())
    assert seat_teams(journey) == {ae.team_id}
    seat = AccountTeamMember.objects.filter(journey=journey).first()
    assert seat is not None
    table = connection.ops.quote_name(AccountTeamMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (journey_id, member_id, stage_id, owned, joined_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            [journey.pk, make_member().pk, seat.stage_id, False, timezone.now()],
        )
    assert seat_teams(journey) == {ae.team_id}


def test_a_bulk_fill_gives_every_seat_its_journeys_team():
    ae = make_member(Role.AE)
    journeys = [make_journey(owner=ae), make_journey(owner=ae)]
    fill_seat_teams()
    assert {team for journey in journeys for team in seat_teams(journey)} == {ae.team_id}


def test_the_board_shows_a_journey_once_as_it_changes_team():
    """Seen through a seat from another team, then in the member's own team."""
    sdr = make_member(Role.SDR)
    csm = make_member(Role.CSM)
    journey = make_journey(owner=csm, stage_key="adoption", name="Brightwater")
    log_interaction(journey, channel="call", direction="inbound", summary="hi", by=sdr.user)
    adoption = Stage.objects.get(key="adoption").pk

    def cards() -> list[str]:
        found = board(sdr.user, BoardFilters(), now=timezone.now())
        column = next(column for column in found.columns if column.stage.pk == adoption)
        assert column.count == len(column.cards)
        return [card.account_name for card in column.cards]

    assert list(seen_elsewhere(sdr, BoardFilters()).first) == [journey.pk]
    assert cards() == ["Brightwater"]
    Journey.objects.filter(pk=journey.pk).update(team=sdr.team)
    assert seen_elsewhere(sdr, BoardFilters()).first == {}
    Journey.objects.filter(pk=journey.pk).update(team=make_team())
    assert list(seen_elsewhere(sdr, BoardFilters()).first) == [journey.pk]
    assert cards() == ["Brightwater"]
