"""The handoff page: the frozen brief, and accepting or returning it there."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.services import make_commitment
from onethread.customers.services import add_contact
from onethread.handoffs.models import Handoff
from onethread.handoffs.services import accept_handoff, send_handoff
from onethread.interactions.services import log_interaction
from onethread.journeys.models import AccountTeamMember, EventKind, Journey
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, return_reason, stage, transition

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def login(client, member):
    client.logout()
    assert client.login(username=member.user.username, password=PASSWORD)


def sdr_and_ae():
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Okafor")
    ae = make_member(Role.AE, team=sdr.team, first_name="Alex", last_name="Novak")
    return sdr, ae


def sent(sdr, ae, *, name="Globex", records=1, at=None):
    """A handoff from qualification to closing, sent with the decision maker
    missing (overridden), of a journey holding `records` of each kind."""
    journey = make_journey(owner=sdr, stage_key="qualification", name=name)
    for n in range(records):
        capture_need(journey, f"Carrier costs per shipment, site {n}", by=sdr.user, priority=2)
        make_commitment(
            journey,
            f"Send the SOC 2 report {n}",
            by=sdr.user,
            owner=sdr.user,
            due_on=dt.date(2020, 1, 1),
        )
        add_contact(journey.account, f"Ray Champion {n}", by=sdr.user, buying_role="champion")
        log_interaction(
            journey, channel="call", direction="outbound", summary=f"Discovery {n}", by=sdr.user
        )
    answers = {
        item.pk: "Budget 40k, decide in March"
        for item in transition("qualification", "closing").items.filter(rule="confirmed")
    }
    return send_handoff(
        journey,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        answers=answers,
        note="Warm: they lose 8% margin on carriers.",
        open_questions="Who signs above 50k?",
        override_reason="They want a quote this week",
        at=at,
    )


def test_the_brief_shows_everything_the_receiver_needs(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    login(client, ae)
    response = client.get(reverse("handoff", args=[handoff.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        "Globex",
        "Carrier costs per shipment, site 0",  # a need
        'Sam Okafor <span class="muted small">in Qualification</span>',  # who captured it
        "Send the SOC 2 report 0",  # a promise …
        '<span class="badge overdue">Overdue</span>',  # … overdue
        "Ray Champion 0",  # a contact and their buying role
        "Champion",
        "No decision maker identified.",  # a risk
        "1 interaction",  # the summary
        "Discovery 0",  # the latest
        "Warm: they lose 8% margin on carriers.",  # the sender's notes
        "Who signs above 50k?",  # and questions
        "75%",  # 3 of 4 items met
        "Missing:</span> Decision maker identified",
        "“Budget 40k, decide in March”",  # the sender's answer
        "They want a quote this week",  # the override reason
        "Due in 23 h 59 min",  # the SLA clock
        "Accept and take it over",
        "Missing information",  # a return reason to choose
    ]:
        assert expected in html, expected


def test_the_sla_clock_shows_how_late_an_overdue_handoff_is(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae, at=timezone.now() - dt.timedelta(hours=30))
    login(client, sdr)
    html = client.get(reverse("handoff", args=[handoff.pk])).content.decode()
    assert '<span class="badge overdue">Overdue by 6 h' in html
    # The sender sees it, but only the receiving side answers.
    assert "Accept and take it over" not in html
    assert "Waiting for an answer" in html


def test_accepting_in_place_moves_the_journey_and_shows_the_outcome(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    login(client, ae)
    response = client.post(
        reverse("accept-handoff", args=[handoff.pk]),
        {
            "rating": "4",
            "missing": ["Decision maker identified"],
            "missing_other": "Procurement process",
            "version": handoff.version,
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rated <strong>4/5</strong>" in html
    assert "Procurement process" in html
    assert "By <strong>Alex Novak</strong>" in html
    handoff.refresh_from_db()
    assert handoff.status == Handoff.Status.ACCEPTED
    assert handoff.missing_feedback == ["Decision maker identified", "Procurement process"]
    journey = Journey.objects.get(pk=handoff.journey_id)
    assert (journey.stage.key, journey.owner) == ("closing", ae)
    seated = set(AccountTeamMember.objects.filter(journey=journey).values_list("member", flat=True))
    assert {sdr.pk, ae.pk} <= seated


def test_without_js_an_answer_redirects_to_the_handoff(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    login(client, ae)
    response = client.post(
        reverse("return-handoff", args=[handoff.pk]),
        {"reason": return_reason("bad_timing").pk, "comment": "", "version": handoff.version},
    )
    assert response.status_code == 302
    assert response.url == reverse("handoff", args=[handoff.pk])


def test_returning_with_a_reason_and_comment_leaves_the_journey_as_it_was(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    journey_before = Journey.objects.get(pk=handoff.journey_id)
    login(client, ae)
    response = client.post(
        reverse("return-handoff", args=[handoff.pk]),
        {"reason": return_reason().pk, "comment": "Who decides?", "version": handoff.version},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Missing information</strong>: “Who decides?”" in html
    journey = Journey.objects.get(pk=handoff.journey_id)
    assert (journey.stage, journey.owner, journey.version) == (
        journey_before.stage,
        sdr,
        journey_before.version,
    )


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("accept", {}, "Rate the handoff from 1 to 5."),
        ("accept", {"rating": "7"}, "Select a valid choice"),
        ("return", {"comment": "No reason given"}, "Say why you return it: choose a reason."),
        ("return", {"reason": "999999"}, "Choose one of the listed reasons."),
    ],
)
def test_an_answer_without_what_it_needs_answers_422_and_changes_nothing(
    client, action, fields, message
):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    events = handoff.journey.events.count()
    login(client, ae)
    response = client.post(
        reverse(f"{action}-handoff", args=[handoff.pk]),
        {"version": handoff.version} | fields,
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).is_pending
    assert handoff.journey.events.count() == events


def test_the_sender_accepting_their_own_handoff_is_refused_with_403(client):
    sdr, ae = sdr_and_ae()
    handoff = sent(sdr, ae)
    login(client, sdr)
    response = client.post(
        reverse("accept-handoff", args=[handoff.pk]),
        {"rating": "5", "version": handoff.version},
        headers=HX,
    )
    assert response.status_code == 403
    assert "You sent this handoff" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).is_pending
    assert not handoff.journey.events.filter(kind=EventKind.HANDOFF_ACCEPTED).exists()


def test_a_second_answer_answers_409_saying_who_answered_first(client):
    sdr, ae = sdr_and_ae()
    colleague = make_member(Role.AE, team=sdr.team)
    handoff = sent(sdr, ae)
    accept_handoff(handoff, by=ae.user, rating=5)
    events = handoff.journey.events.count()
    login(client, colleague)
    answers: list[tuple[str, dict[str, object]]] = [
        ("accept", {"rating": "3"}),
        ("return", {"reason": return_reason().pk}),
    ]
    for action, fields in answers:
        response = client.post(
            reverse(f"{action}-handoff", args=[handoff.pk]),
            {"version": handoff.version} | fields,
            headers=HX,
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "This handoff was already accepted by Alex Novak" in html
        assert 'class="banner error" role="alert"' in html
    assert handoff.journey.events.count() == events
    assert Handoff.objects.get(pk=handoff.pk).rating == 5


def test_a_handoff_outside_ones_rights_answers_404(client):
    sdr, ae = sdr_and_ae()
    stranger = make_member(Role.AE)
    handoff = sent(sdr, ae)
    login(client, stranger)
    assert client.get(reverse("handoff", args=[handoff.pk])).status_code == 404
    response = client.post(
        reverse("accept-handoff", args=[handoff.pk]), {"rating": "5", "version": 1}
    )
    assert response.status_code == 404
    assert Handoff.objects.get(pk=handoff.pk).is_pending
    assert client.get("/handoffs/99999999999999999/").status_code == 404


def test_the_handoff_page_runs_the_same_queries_whatever_the_size_of_the_brief(
    client, django_assert_max_num_queries
):
    sdr, ae = sdr_and_ae()
    small = sent(sdr, ae, name="Small", records=1)
    large = sent(sdr, ae, name="Large", records=20)
    login(client, ae)
    with django_assert_max_num_queries(10) as small_queries:
        assert client.get(reverse("handoff", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(10) as large_queries:
        assert client.get(reverse("handoff", args=[large.pk])).status_code == 200
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)
