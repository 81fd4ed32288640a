"""The board's cards and the timeline's events are written by template tags
in one pass: what they write is escaped and says what the template said."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from onethread.journeys.models import EventKind, JourneyEvent, Stage
from onethread.journeys.queries import Card
from onethread.journeys.stages import install_default_stages
from tests.builders import make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def render(source: str, **context: object) -> str:
    return Template("{% load journey_tags %}" + source).render(Context(context))


def card(**fields: object) -> Card:
    values: dict[str, object] = {
        "journey_id": 7,
        "url": "/accounts/3/",
        "account_name": "Acme",
        "owner_name": "Ada Lovelace",
        "stage_entered_at": NOW,
        "days_in_stage": 1,
        "open_needs": 2,
        "overdue_commitments": 0,
        "open_signals": 0,
    }
    return Card(**(values | fields))  # type: ignore[arg-type]


def test_a_card_shows_its_account_owner_days_and_flags_escaped():
    html = render(
        "{% board_cards cards %}",
        cards=[
            card(account_name="<b>Acme & Sons</b>", owner_name="O'Brien"),
            card(overdue_commitments=1, open_signals=3),
        ],
    )
    assert (
        '<a class="card-title" href="/accounts/3/">&lt;b&gt;Acme &amp; Sons&lt;/b&gt;</a>' in html
    )
    assert "<span>O&#x27;Brien</span><span>1 day</span>" in html
    assert '<span class="flag">2 open needs</span>' in html
    first, second = html.split("</li>")[:2]
    assert "has-overdue" not in first
    assert "flag signal" not in first
    assert '<li class="card has-overdue">' in second
    assert '<span class="flag overdue">1 overdue promise</span>' in second
    assert '<span class="flag signal">3 open signals</span>' in second


def test_an_event_shows_when_what_and_who_in_the_local_time_escaped(settings):
    install_default_stages(Stage)
    lead = Stage.objects.get(key="lead")
    actor = make_user("grace", first_name="Grace", last_name="<Hopper>")
    timed = JourneyEvent(
        pk=41,
        kind=EventKind.NOTE_ADDED,
        stage=lead,
        actor=actor,
        occurred_at=NOW,
        payload={"text": "<script>alert(1)</script>"},
    )
    untimed = JourneyEvent(pk=40, kind=EventKind.NOTE_ADDED, stage=lead, payload={"text": "x"})
    with timezone.override(ZoneInfo("Europe/Paris")):
        html = render("{% timeline_events events names %}", events=[timed, untimed], names={})
    assert '<li class="event kind-note_added" id="event-41">' in html
    assert '<time datetime="2026-03-10T13:00:00+01:00">10 Mar 2026, 13:00</time>' in html
    assert "Note: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Grace &lt;Hopper&gt; · Lead" in html
    assert '<span class="muted">time unknown</span>' in html
    assert "onethread · Lead" in html
