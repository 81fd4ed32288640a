"""The must-show walk: a demo SDR opens the board, opens an account, captures
a need in place and sees it on the timeline without a reload."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.demo.company import DEMO_PASSWORD
from onethread.demo.seed import seed_demo_company
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.needs.models import Need
from tests.browser.conftest import AxeCheck

NEED = "One dashboard for all twelve warehouses, refreshed hourly"


@pytest.mark.browser
def test_a_demo_sdr_captures_a_need_in_place(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    seed_demo_company(now=timezone.now(), accounts=60)

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Journey board")).to_be_visible()
    expect(page.get_by_role("heading", name="Qualification")).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "board.png", full_page=True)

    card = page.locator(".column", has=page.get_by_role("heading", name="Qualification"))
    first_account = card.locator(".card-title").first
    account_name = first_account.inner_text()
    first_account.click()
    expect(page.get_by_role("heading", level=1, name=account_name)).to_be_visible()
    axe_check(page)

    # A marker on the window survives an in-place update and dies with a reload.
    page.evaluate("window.notReloaded = true")
    page.get_by_text("Capture a need").click()
    page.get_by_label("What does the customer need?").fill(NEED)
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Capture need").click()

    timeline = page.locator("#timeline-list")
    expect(timeline.locator(".event").first).to_contain_text(NEED)
    expect(page.locator("#needs")).to_contain_text(NEED)
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=screenshot_dir / "account.png", full_page=True)

    need = Need.objects.get(statement=NEED)
    assert need.captured_by is not None
    assert need.captured_by.username == "sam"
    assert JourneyEvent.objects.filter(
        kind=EventKind.NEED_CAPTURED, payload__need_id=need.pk
    ).exists()
