import pytest
from django.db.models import Count

from onethread.interactions.services import log_interaction
from onethread.journeys.counts import recount
from onethread.journeys.models import Journey, StageCount
from onethread.journeys.queries import BoardFilters, stage_counts
from onethread.journeys.services import assign_owner, move_stage
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_user, stage

pytestmark = pytest.mark.django_db


def cells() -> dict[tuple[int, int, str], int]:
    return {
        (cell.team_id, cell.stage_id, cell.source): cell.count
        for cell in StageCount.objects.all()
        if cell.count
    }


def actual() -> dict[tuple[int, int, str], int]:
    return {
        (row["team_id"], row["stage_id"], row["source"]): row["n"]
        for row in Journey.objects.values("team_id", "stage_id", "source").annotate(n=Count("id"))
    }


def test_the_maintained_counts_follow_every_move():
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    csm = make_member(Role.CSM)
    journeys = [make_journey(owner=sdr, source=source) for source in ("web", "web", "referral", "")]
    move_stage(journeys[0], stage("qualification"), by=sdr.user)
    moved = move_stage(journeys[1], stage("disqualified"), by=sdr.user, reason="no budget")
    assert moved.is_closed
    handed = assign_owner(journeys[2], ae, by=sdr.user)
    assign_owner(handed, csm, by=sdr.user)  # to another team
    assert cells() == actual()
    StageCount.objects.all().delete()
    recount()
    assert cells() == actual()


def test_board_counts_per_scope_and_source():
    sdr = make_member(Role.SDR)
    colleague = make_member(Role.SDR, team=sdr.team)
    other_team = make_member(Role.CSM)
    make_journey(owner=sdr, source="web")
    make_journey(owner=colleague, source="web", stage_key="qualification")
    make_journey(owner=colleague, source="referral")
    elsewhere = make_journey(owner=other_team, stage_key="adoption", source="web")
    make_journey(owner=other_team, stage_key="adoption")
    log_interaction(elsewhere, channel="call", direction="inbound", summary="hi", by=sdr.user)
    lead, qualification, adoption = (stage(key).pk for key in ("lead", "qualification", "adoption"))

    def board(user, scope="all", source=None):
        counts = stage_counts(user, BoardFilters(scope=scope, source=source))
        return {stage_id: n for stage_id, n in counts.items() if n}

    assert board(sdr.user) == {lead: 2, qualification: 1, adoption: 1}
    assert board(sdr.user, source="web") == {lead: 1, qualification: 1, adoption: 1}
    assert board(sdr.user, scope="team") == {lead: 2, qualification: 1}
    assert board(sdr.user, scope="mine") == {lead: 1}
    admin = make_member(Role.ADMIN)
    assert board(admin.user) == {lead: 2, qualification: 1, adoption: 2}
    assert board(make_user()) == {}
