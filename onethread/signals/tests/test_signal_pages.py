"""The signals inbox, acting and dismissing from it with htmx, the count in
the navigation, the badges on the board and the account page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onethread.deals.models import Deal
from onethread.signals.models import DetectorRun, Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, need, product
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


@pytest.fixture
def cross_sell():
    ae = make_member(Role.AE, first_name="Alex")
    journey = make_journey(owner=ae, stage_key="closing", name="Acme")
    reporting = category("Reporting")
    product("Analytics add-on", reporting)
    need(journey, "Board-level reporting", reporting)
    run_detectors(now=NOW)
    return ae, journey, Signal.objects.get(kind="cross_sell")


def test_the_inbox_lists_my_open_signals_and_the_nav_counts_them(
    client, cross_sell, django_assert_max_num_queries
):
    ae, _, signal = cross_sell
    login(client, ae)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("signals")).content.decode()
    assert signal.explanation.replace("“", "&ldquo;")[:5] in html
    assert "Analytics add-on addresses Reporting" in html
    assert "Create the expansion deal" in html
    assert '1<span class="visually-hidden"> open for you</span>' in html


def test_someone_else_sees_no_signal_of_mine(client, cross_sell):
    login(client, make_member(Role.AE))
    html = client.get(reverse("signals")).content.decode()
    assert "No open signal for you." in html


def test_acting_with_htmx_swaps_in_the_result(client, cross_sell):
    ae, _, signal = cross_sell
    login(client, ae)
    response = client.post(
        reverse("act-on-signal", args=[signal.pk]), {"deal_name": "Analytics"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "expansion deal “Analytics” created" in response.content.decode()
    assert Deal.objects.get().signals.get() == signal


def test_dismissing_without_a_reason_is_refused_with_the_form(client, cross_sell):
    ae, _, signal = cross_sell
    login(client, ae)
    url = reverse("dismiss-signal", args=[signal.pk])
    assert client.post(url, {"reason": ""}, headers=HTMX).status_code == 422
    response = client.post(url, {"reason": "bad_timing"})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.dismiss_reason == "bad_timing"


def test_only_the_routed_member_their_manager_or_an_admin_settle_a_signal(client, cross_sell):
    _ae, journey, signal = cross_sell
    colleague = make_member(Role.AE, team=journey.team)  # sees the journey, not theirs
    login(client, colleague)
    url = reverse("dismiss-signal", args=[signal.pk])
    assert client.post(url, {"reason": "bad_timing"}, headers=HTMX).status_code == 403
    stranger = make_member(Role.AE)
    login(client, stranger)
    assert client.post(url, {"reason": "bad_timing"}).status_code == 404
    login(client, make_member(Role.MANAGER, team=journey.team))
    assert client.post(url, {"reason": "bad_timing"}).status_code == 302


def test_admins_see_failed_detectors_on_the_signals_page(client):
    admin = make_member(Role.ADMIN)
    DetectorRun.objects.create(detector="upsell", status="failed", error="KeyError: 'tier'")
    login(client, admin)
    html = client.get(reverse("signals")).content.decode()
    assert "Detectors that failed lately" in html
    assert "KeyError" in html
    login(client, make_member(Role.AE))
    assert "Detectors that failed lately" not in client.get(reverse("signals")).content.decode()


def test_the_board_card_and_the_account_page_show_open_signals(client, cross_sell):
    ae, journey, _ = cross_sell
    login(client, ae)
    board = client.get(reverse("board")).content.decode()
    assert "1 open signal" in board
    account = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert 'id="signals-h"' in account
    assert "Analytics add-on addresses Reporting" in account


def test_the_board_reads_signal_counts_in_its_one_statement_whatever_the_cards(client, cross_sell):
    ae, _, _ = cross_sell
    login(client, ae)

    def queries_for_board() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("board")).status_code == 200
        return len(seen.captured_queries)

    queries_for_board()  # warm the caches
    one_card = queries_for_board()
    for n in range(3):
        make_journey(owner=ae, stage_key="closing", at=NOW - dt.timedelta(days=40 + n))
    run_detectors(now=NOW)
    assert Signal.objects.filter(status="open").count() >= 4
    assert queries_for_board() == one_card
    assert client.get(reverse("board")).content.decode().count("1 open signal") >= 4


def test_the_usefulness_page_counts_acted_and_dismissed_per_detector(client, cross_sell):
    ae, _, signal = cross_sell
    login(client, ae)
    client.post(reverse("dismiss-signal", args=[signal.pk]), {"reason": "bad_timing"})
    html = client.get(reverse("signal-usefulness")).content.decode()
    assert "cross_sell" in html
    assert "Not now: 1" in html


def test_the_timeline_tells_what_happened_to_a_signal(client, cross_sell):
    ae, journey, signal = cross_sell
    login(client, ae)
    client.post(reverse("dismiss-signal", args=[signal.pk]), {"reason": "bad_timing", "note": "Q3"})
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert "Signal raised (cross sell, for " in html
    assert "Signal (cross sell) dismissed: bad timing — <q>Q3</q>" in html
