import datetime as dt

import pytest
from django.urls import reverse

from onethread.commitments.services import make_commitment, settle_commitment
from onethread.interactions.services import log_interaction
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind
from onethread.journeys.services import move_stage
from onethread.signals.health import HealthFacts, health
from onethread.signals.health_records import history, record_health
from onethread.signals.models import HealthScore, HealthWeight
from onethread.signals.tests.helpers import NOW
from onethread.support.services import open_ticket
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, stage

DAY = dt.timedelta(days=1)
THRIVING = HealthFacts(
    last_interaction=NOW - 2 * DAY,
    open_tickets=0,
    urgent_tickets=0,
    promises_kept=3,
    promises_broken=0,
    promises_overdue=0,
    needs_known=2,
    needs_delivered=2,
    recent_value_events=8,
)


def test_a_thriving_customer_scores_100_and_each_component_shows_its_points():
    score, components = health(THRIVING, now=NOW)
    assert score == 100
    assert [(c.key, c.contribution) for c in components] == [
        ("engagement", 25.0),
        ("open_tickets", 16.7),
        ("promises_kept", 16.7),
        ("needs_delivered", 16.7),
        ("value_events", 25.0),
    ]


def test_silence_tickets_and_broken_promises_lower_the_score():
    from dataclasses import replace

    struggling = replace(
        THRIVING,
        last_interaction=NOW - 60 * DAY,
        open_tickets=2,
        urgent_tickets=1,
        promises_broken=1,
        promises_overdue=2,
        recent_value_events=0,
    )
    score, components = health(struggling, now=NOW)
    parts = {c.key: c for c in components}
    assert parts["engagement"].score == 0
    assert parts["open_tickets"].score == 0.25
    assert parts["promises_kept"].detail == "3 of 6 kept, 2 overdue"
    assert parts["value_events"].contribution == 0
    assert score == pytest.approx(0 + 16.7 * 0.25 + 16.7 * 0.5 + 16.7, abs=0.2)


def test_weights_are_configurable():
    only_value = {key: 0 for key in ("engagement", "open_tickets", "promises_kept")}
    only_value |= {"needs_delivered": 0, "value_events": 1}
    from dataclasses import replace

    score, _ = health(replace(THRIVING, recent_value_events=1), now=NOW, weights=only_value)
    assert score == 20


@pytest.mark.django_db
def test_scores_are_kept_a_row_per_day_for_journeys_after_the_sale(client):
    csm = make_member(Role.CSM)
    journey = make_journey(owner=csm, stage_key="closing", at=NOW - 100 * DAY)
    journey = move_stage(journey, stage("onboarding"), by=None, at=NOW - 60 * DAY)
    make_journey(owner=csm, stage_key="closing")  # not sold: no score
    log_interaction(
        journey, channel="call", direction="outbound", summary="Kick-off", by=None,
        occurred_at=NOW - 3 * DAY,
    )  # fmt: skip
    open_ticket(journey, "Import fails", by=None, at=NOW - DAY)
    promise = make_commitment(journey, "Training", by=None, due_on=(NOW - 5 * DAY).date())
    settle_commitment(promise, "kept", by=None, expected_version=None, at=NOW - 6 * DAY)
    record_event(journey, EventKind.VALUE_RECORDED, by=None, occurred_at=NOW - 2 * DAY)
    HealthWeight.objects.create(component="value_events", weight=1)

    assert record_health(now=NOW - DAY) == 1
    assert record_health(now=NOW) == 1
    assert record_health(now=NOW + dt.timedelta(hours=1)) == 1  # same day: replaced
    days = [score.day for score in history(journey.pk)]
    assert days == [NOW.date(), (NOW - DAY).date()]
    latest = HealthScore.objects.get(journey=journey, day=NOW.date())
    parts = {part["key"]: part for part in latest.components}
    assert parts["open_tickets"]["detail"] == "1 open (0 urgent)"
    assert parts["value_events"]["weight"] == 1
    assert parts["promises_kept"]["score"] == 1

    assert client.login(username=csm.user.username, password=PASSWORD)
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert 'id="health-h"' in html
    assert "Open tickets</strong>" in html
    assert "trend over the last 2 computations" in html
