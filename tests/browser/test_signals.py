"""The must-show signal: an open need that no product the account owns
covers raises a cross-sell signal in the inbox of the AE on the account team
(not another AE's); acting on it creates an expansion deal linked to the
signal and the need."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.deals.models import Deal
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.signals.models import Signal
from onethread.signals.runner import run_full
from onethread.signals.tests.helpers import category, own, product
from onethread.team.models import Role
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_journey, make_member, make_team

ACCOUNT = "Brightwater Foods"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Journey board")).to_be_visible()


@pytest.mark.browser
def test_an_unmatched_need_becomes_a_cross_sell_the_right_ae_turns_into_a_deal(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    team = make_team("New business")
    alex = make_member(Role.AE, team=team, username="alex", first_name="Alex", last_name="Novak")
    make_member(Role.AE, team=team, username="maya", first_name="Maya", last_name="Lind")
    journey = make_journey(owner=alex, stage_key="closing", name=ACCOUNT)
    routing = product("Route planner", category("Routing"))
    own(journey, routing)
    reporting = category("Reporting")
    analytics = product("Analytics add-on", reporting)
    need = capture_need(
        journey, "Margin per delivery, reported to the board monthly", by=alex.user,
        category=reporting, priority=Need.Priority.HIGH,
    )  # fmt: skip

    run_full(now=timezone.now())  # what `onethread worker` runs on its schedule

    base = live_server.url
    log_in(page, base, "maya")
    page.goto(base + "/signals/")
    expect(page.get_by_text("No open signal for you.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, "alex")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Signals 1 open for you")).to_be_visible()
    expect(page.locator(".card", has_text=ACCOUNT)).to_contain_text("1 open signal")
    nav.get_by_role("link", name="Signals").click()
    card = page.locator(".signal", has_text=ACCOUNT)
    expect(card).to_contain_text("Cross-sell")
    expect(card).to_contain_text("Analytics add-on addresses Reporting")
    expect(card).to_contain_text("Margin per delivery")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "signals-inbox.png", full_page=True)

    card.get_by_label("Expansion deal").fill("Analytics for Brightwater")
    card.get_by_role("button", name="Create the expansion deal").click()
    result = page.locator(".signal-result")
    expect(result).to_contain_text("Acted on: expansion deal “Analytics for Brightwater” created")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "signals-acted.png", full_page=True)

    signal = Signal.objects.get()
    deal = Deal.objects.get(kind=Deal.Kind.EXPANSION)
    assert (signal.status, signal.deal_id, signal.need_id) == ("acted", deal.pk, need.pk)
    line = deal.line_items.get()
    assert (line.product_id, line.need_id) == (analytics.pk, need.pk)

    page.goto(f"{base}/accounts/{journey.account_id}/")
    expect(page.get_by_text("Analytics for Brightwater").first).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "signals-account-deal.png", full_page=True)
