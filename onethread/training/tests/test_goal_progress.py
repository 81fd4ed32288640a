"""Goal progress is the insights metric for the same period and scope."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow.compute as pc
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onethread.commitments.services import make_commitment, settle_commitment
from onethread.handoffs.services import accept_handoff, send_handoff
from onethread.insights import adapter, registry, services
from onethread.insights.frames import Filters, Period, restrict
from onethread.insights.tests.journeys import START, a_small_company, day, journey_through
from onethread.team.models import Member, Role, Team
from onethread.training.goals import MEASURES
from onethread.training.queries import goals_progress
from onethread.training.services import set_goal
from tests.builders import make_member, make_team, transition

pytestmark = pytest.mark.django_db
NOW = day(400)  # a year after the wins: first-year retention is known
FIRST, LAST = START.date(), day(60).date()


@pytest.fixture
def company() -> Team:
    """The small insights company, and another team whose one handoff was
    rated 1 (it must count for neither the team nor its members)."""
    journeys = a_small_company()
    team = journeys[0].team
    # Promises: Sdr0 keeps one and breaks one, Sdr1 keeps one.
    promises = ((journeys[0], "Sdr0", "kept"), (journeys[0], "Sdr0", "broken"))
    for journey, name, status in (*promises, (journeys[1], "Sdr1", "kept")):
        owner = Member.objects.get(user__first_name=name)
        promise = make_commitment(
            journey,
            f"Call back ({status})",
            by=owner.user,
            owner=owner.user,
            due_on=day(30).date(),
            at=day(5),
        )
        settle_commitment(promise, status, by=owner.user, expected_version=None, at=day(6))
    other = make_team("Elsewhere")
    sdr = make_member(Role.SDR, team=other)
    ae = make_member(Role.AE, team=other)
    journey = journey_through(sdr, [("qualification", 1)])
    handoff = send_handoff(
        journey,
        by=sdr.user,
        to_stage=transition("qualification", "closing").to_stage,
        to_member=ae,
        override_reason="test",
        at=day(2),
    )
    accept_handoff(handoff, by=ae.user, rating=1, at=day(3))
    services.refresh_insights()
    return team


def the_period() -> Period:
    tz = timezone.get_current_timezone()
    return Period(
        dt.datetime.combine(FIRST, dt.time(), tzinfo=tz),
        dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


def insights_value(key: str, filters: Filters, member_id: int | None = None) -> float | None:
    """The insights metric, computed here straight from the registry."""
    frames = restrict(adapter.read_frames(), filters)
    if member_id is not None and key in ("handoff_rating", "promises_kept"):
        column, name = (
            ("from_member_id", "handoffs")
            if key == "handoff_rating"
            else ("made_by_member_id", "commitments")
        )
        table = getattr(frames, name)
        frames = type(frames)(
            **(frames.tables() | {name: table.filter(pc.equal(table[column], member_id))})
        )
    period = the_period()
    if key == "handoff_rating":
        return registry.compute("handoffs", frames, period, NOW)["overall"]["average_rating"]
    if key == "deals_won":
        return registry.compute("post_sale", frames, period, NOW)["won"]
    if key == "activation":
        return registry.compute("post_sale", frames, period, NOW)["activation_rate"] * 100
    if key == "leads_qualified":
        funnel = registry.compute("funnel", frames, period, NOW)
        return next(row["advanced"] for row in funnel if row["stage"] == "qualification")
    if key == "retention":
        cohorts = registry.compute("retention", frames, period, NOW)
        return sum(c["retained"] for c in cohorts) / sum(c["won"] for c in cohorts) * 100
    if key == "promises_kept":
        promises = registry.compute("promises", frames, period, NOW)
        kept = sum(p["kept"] for p in promises)
        decided = kept + sum(p["broken"] for p in promises)
        return kept / decided * 100 if decided else None
    cards = registry.compute("scorecards", frames, period, NOW)["members"]
    card = next(c for c in cards if c["member_id"] == member_id)
    value = card[key]
    return None if value is None else (value * 100 if key == "first_year_retention" else value)


def test_team_goal_progress_equals_the_insights_metric(company: Team) -> None:
    manager = make_member(Role.MANAGER, team=company)
    for measure in MEASURES:
        if "team" not in measure.scopes:
            continue
        goal = set_goal(
            team=company,
            measure=measure.key,
            target=Decimal("3"),
            starts_on=FIRST,
            ends_on=LAST,
            by=manager,
        )
        [shown] = goals_progress([goal], now=NOW)
        assert shown.progress.value == insights_value(measure.key, Filters(team=company.pk)), (
            measure.key
        )
    # By hand: 9 SDR handoffs rated 2, 3, 4, 2, 3, 4, 2, 3, 4 and 6 AE handoffs
    # rated 4 (the other team's 1 left out); 6 deals won.
    rating = set_goal(
        team=company,
        measure="handoff_rating",
        target=Decimal("4"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    won = set_goal(
        team=company,
        measure="deals_won",
        target=Decimal("12"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    shown_rating, shown_won = goals_progress([rating, won], now=NOW)
    assert shown_rating.progress.value == pytest.approx(51 / 15)
    assert shown_won.progress.value == 6
    promises = set_goal(
        team=company,
        measure="promises_kept",
        target=Decimal("80"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    assert goals_progress([promises], now=NOW)[0].progress.value == pytest.approx(200 / 3)
    assert shown_won.progress.share == 0.5
    assert not shown_won.progress.met


def test_member_goal_progress_equals_the_insights_metric(company: Team) -> None:
    manager = make_member(Role.MANAGER, team=company)
    sdr = Member.objects.get(team=company, user__first_name="Sdr0")
    for measure in MEASURES:
        goal = set_goal(
            team=company,
            member=sdr,
            measure=measure.key,
            target=Decimal("2"),
            starts_on=FIRST,
            ends_on=LAST,
            by=manager,
        )
        [shown] = goals_progress([goal], now=NOW)
        expected = insights_value(measure.key, Filters(member=sdr.pk), member_id=sdr.pk)
        assert shown.progress.value == expected, measure.key
    # By hand: Sdr0 sent journeys 0, 3, 6, 9; 3 was returned, the others
    # were rated 2, 4 and 3.
    goal = set_goal(
        team=company,
        member=sdr,
        measure="handoff_rating",
        target=Decimal("3"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    kept = set_goal(
        team=company,
        member=sdr,
        measure="promises_kept",
        target=Decimal("90"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    retention = set_goal(
        team=company,
        member=sdr,
        measure="first_year_retention",
        target=Decimal("90"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    rating, promises, first_year = goals_progress([goal, kept, retention], now=NOW)
    assert rating.progress.value == 3.0
    assert rating.progress.met
    assert promises.progress.value == 50.0
    assert first_year.progress.value == 100.0


def test_only_managers_set_goals_for_their_own_team(company: Team) -> None:
    sdr = Member.objects.get(team=company, user__first_name="Sdr0")
    elsewhere = make_member(Role.MANAGER, team=make_team("Far away"))
    manager = make_member(Role.MANAGER, team=company)
    fields: dict[str, Any] = {
        "measure": "deals_won",
        "target": Decimal("5"),
        "starts_on": FIRST,
        "ends_on": LAST,
    }
    with pytest.raises(ValidationError):
        set_goal(team=company, by=sdr, **fields)
    with pytest.raises(ValidationError):
        set_goal(team=company, by=elsewhere, **fields)
    with pytest.raises(ValidationError, match="member only"):
        set_goal(team=company, by=manager, **fields | {"measure": "tickets_resolved"})
    with pytest.raises(ValidationError, match="100"):
        set_goal(
            team=company, by=manager, **fields | {"measure": "activation", "target": Decimal("120")}
        )
    assert set_goal(team=company, by=manager, **fields).target == Decimal("5.00")


def test_goal_progress_follows_each_refresh_of_the_insights(company: Team) -> None:
    manager = make_member(Role.MANAGER, team=company)
    won = set_goal(
        team=company,
        measure="deals_won",
        target=Decimal("12"),
        starts_on=FIRST,
        ends_on=LAST,
        by=manager,
    )
    assert goals_progress([won], now=NOW)[0].progress.value == 6
    ae = Member.objects.get(user__first_name="Ae0")
    journey_through(ae, [("closing", 20), ("onboarding", 30)], opened=10)
    # Not refreshed yet: progress is what the insights pages show.
    assert goals_progress([won], now=NOW)[0].progress.value == 6
    services.refresh_insights()
    assert goals_progress([won], now=NOW)[0].progress.value == 7
