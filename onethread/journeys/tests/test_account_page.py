import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onethread.commitments.services import make_commitment
from onethread.customers.services import add_contact
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member

pytestmark = pytest.mark.django_db


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


def enrich(journey, by, times):
    """Give a journey `times` of each kind of record."""
    for n in range(times):
        contact = add_contact(journey.account, f"Contact {n}", by=by, buying_role="champion")
        capture_need(journey, f"Need number {n}", by=by)
        make_commitment(journey, f"Promise {n}", by=by, owner=by, due_on=dt.date(2020, 1, 1))
        log_interaction(
            journey,
            channel="call",
            direction="outbound",
            summary=f"Call {n}",
            by=by,
            contacts=[contact],
        )


def test_account_page_shows_the_thread(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification", name="Globex")
    capture_need(journey, "Consolidated reporting across sites", by=sdr.user)
    login(client, sdr)
    response = client.get(reverse("account-thread", args=[journey.account_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Globex" in html
    assert "Consolidated reporting across sites" in html
    assert "Qualification" in html
    assert sdr.name in html


def test_another_teams_account_answers_404(client):
    mine = make_member(Role.SDR)
    theirs = make_journey(owner=make_member(Role.SDR))
    login(client, mine)
    response = client.get(reverse("account-thread", args=[theirs.account_id]))
    assert response.status_code == 404
    assert theirs.account.name not in response.content.decode()


def test_posting_to_another_teams_journey_answers_404_and_writes_nothing(client):
    mine = make_member(Role.SDR)
    theirs = make_journey(owner=make_member(Role.SDR))
    login(client, mine)
    response = client.post(
        reverse("capture-need", args=[theirs.pk]), {"statement": "sneaky", "priority": 3}
    )
    assert response.status_code == 404
    assert not Need.objects.filter(journey=theirs).exists()


def test_a_member_on_the_account_team_sees_another_teams_journey(client):
    sdr = make_member(Role.SDR)
    csm = make_member(Role.CSM)
    journey = make_journey(owner=sdr)
    log_interaction(journey, channel="call", direction="inbound", summary="Hi", by=csm.user)
    login(client, csm)
    assert client.get(reverse("account-thread", args=[journey.account_id])).status_code == 200


@pytest.mark.parametrize("huge", ["99999999999999999999999", "0"])
def test_out_of_range_ids_answer_404(client, huge):
    login(client, make_member())
    assert client.get(f"/accounts/{huge}/").status_code == 404


def test_account_page_query_count_does_not_grow_with_the_thread(
    client, django_assert_max_num_queries
):
    sdr = make_member(Role.SDR)
    small = make_journey(owner=sdr)
    enrich(small, sdr.user, 1)
    large = make_journey(owner=sdr)
    enrich(large, sdr.user, 25)
    login(client, sdr)
    # The first page a process serves reads the reference data (stages,
    # steps, categories, products, members); later ones reuse it.
    client.get(reverse("account-thread", args=[small.account_id]))
    # 17: the thread, plus the owner's handoff panel (its contract checked live)
    # and the navigation's counts.
    with django_assert_max_num_queries(17) as small_queries:
        assert client.get(reverse("account-thread", args=[small.account_id])).status_code == 200
    with django_assert_max_num_queries(17) as large_queries:
        assert client.get(reverse("account-thread", args=[large.account_id])).status_code == 200
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)


def test_capturing_a_need_in_place_returns_the_thread_with_it_on_the_timeline(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    login(client, sdr)
    response = client.post(
        reverse("capture-need", args=[journey.pk]),
        {"statement": "Works with our SAP system", "priority": 2},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Works with our SAP system") >= 2  # the ledger and the timeline
    need = Need.objects.get(journey=journey)
    assert need.priority == Need.Priority.HIGH
    assert journey.events.filter(kind=EventKind.NEED_CAPTURED, payload__need_id=need.pk).exists()


def test_an_invalid_form_answers_422_with_the_error_and_writes_nothing(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    login(client, sdr)
    response = client.post(
        reverse("log-interaction", args=[journey.pk]),
        {"channel": "pigeon", "direction": "outbound", "summary": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "pigeon" in response.content.decode()  # "Select a valid choice. pigeon is not one…"
    assert not journey.interactions.exists()


def test_without_htmx_a_successful_post_redirects_to_the_account(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    login(client, sdr)
    response = client.post(reverse("add-note", args=[journey.pk]), {"text": "Budget is approved"})
    assert response.status_code == 302
    assert response.url == reverse("account-thread", args=[journey.account_id])


def test_closing_a_journey_needs_a_reason(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    login(client, sdr)
    disqualified = journey.stage.__class__.objects.get(key="disqualified")
    response = client.post(
        reverse("move-stage", args=[journey.pk]),
        {"stage": disqualified.pk, "reason": "", "version": journey.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Say why" in response.content.decode()
    journey.refresh_from_db()
    assert journey.stage.key == "qualification"


def test_a_stale_stage_move_answers_409_and_changes_nothing(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    lead = journey.stage.__class__.objects.get(key="lead")
    login(client, sdr)
    response = client.post(
        reverse("move-stage", args=[journey.pk]),
        {"stage": lead.pk, "reason": "", "version": journey.version - 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    journey.refresh_from_db()
    assert journey.stage.key == "qualification"


def test_only_the_owner_or_a_manager_moves_the_stage(client):
    owner = make_member(Role.SDR)
    colleague = make_member(Role.SDR, team=owner.team)
    journey = make_journey(owner=owner, stage_key="qualification")
    closing = journey.stage.__class__.objects.get(key="closing")
    login(client, colleague)
    response = client.post(
        reverse("move-stage", args=[journey.pk]),
        {"stage": closing.pk, "reason": "", "version": journey.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    journey.refresh_from_db()
    assert journey.stage.key == "qualification"
    manager = make_member(Role.MANAGER, team=owner.team)
    client.logout()
    login(client, manager)
    response = client.post(
        reverse("move-stage", args=[journey.pk]),
        {"stage": closing.pk, "reason": "", "version": journey.version},
    )
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.stage.key == "closing"


def test_timeline_filters_by_kind(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    capture_need(journey, "Needs SSO", by=sdr.user)
    log_interaction(
        journey, channel="email", direction="inbound", summary="Asked for a demo", by=sdr.user
    )
    login(client, sdr)
    response = client.get(reverse("timeline", args=[journey.pk]), {"kind": "need_captured"})
    html = response.content.decode()
    assert "Needs SSO" in html
    assert "Asked for a demo" not in html


def test_timeline_pages_backwards_by_event_id(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    start = timezone.now() - dt.timedelta(days=1)
    for n in range(40):
        log_interaction(
            journey,
            channel="call",
            direction="outbound",
            summary=f"Call #{n:02d}",
            by=sdr.user,
            occurred_at=start + dt.timedelta(minutes=n),
        )
    login(client, sdr)
    first = client.get(reverse("timeline", args=[journey.pk])).content.decode()
    assert "Call #39" in first
    assert "Call #10" in first
    assert "Call #09" not in first
    older = journey.events.order_by("-id")[29].pk
    second = client.get(reverse("timeline", args=[journey.pk]), {"before": older}).content.decode()
    assert "Call #09" in second
    assert "Call #00" in second
    assert "Call #10" not in second


def test_an_owner_crosses_a_contracted_step_only_through_a_handoff(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, stage_key="qualification")
    closing = journey.stage.__class__.objects.get(key="closing")
    login(client, sdr)
    response = client.post(
        reverse("move-stage", args=[journey.pk]),
        {"stage": closing.pk, "reason": "", "version": journey.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert "goes through a handoff" in response.content.decode()
    journey.refresh_from_db()
    assert journey.stage.key == "qualification"


def test_records_without_a_person_show_who_made_them_instead_of_failing(client):
    """Imports and background jobs record events and needs with no user."""
    journey = make_journey(stage_key="qualification", name="Imported Ltd")
    capture_need(journey, "Cheaper freight for the northern depots", by=None)
    reader = make_member(Role.MANAGER, team=journey.team)
    login(client, reader)
    response = client.get(reverse("account-thread", args=[journey.account_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cheaper freight for the northern depots" in html
    assert "captured by import" in html
    assert "onethread · " in html


def test_the_known_needs_hint_names_an_import_as_the_capturer():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    journey = make_journey(stage_key="qualification")
    need = capture_need(journey, "Track every pallet", by=None)
    form = SimpleNamespace(repeat_matches=[(need, 0.9)])
    html = render_to_string("needs/_known_needs.html", {"form": form})
    assert "Track every pallet" in html
    assert "captured by import" in html
