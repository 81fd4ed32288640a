"""A manager uploads a CRM export whose rows are partly wrong and sees every
refused row; then merges two duplicate accounts from the account page."""

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from onethread.customers.models import Account
from onethread.imports.models import ImportRun
from onethread.journeys.services import move_stage
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_journey, make_member, stage

MAPPING = b"""
description = "Companies exported from our old CRM"
system = "oldcrm"
entity = "account"
id_column = "Company ID"

[columns]
name = "Company name"
domain = "Website"
segment = "Industry"
employees = "Number of employees"
"""
COMPANIES = (
    b"Company ID,Company name,Website,Industry,Number of employees\n"
    b"101,Globex Corporation,globex.example,Logistics,1200\n"
    b"102,Initech,initech.example,Software,about fifty\n"
    b"103,,umbrella.example,Pharma,800\n"
    b"104,Soylent,soylent.example,Food,-40\n"
    b"105,Hooli,hooli.example,Software,300\n"
)


def log_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_manager_sees_every_refused_row_of_an_upload(
    page: Page,
    live_server: LiveServer,
    axe_check: AxeCheck,
    screenshot_dir: Path,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.VAR_DIR = tmp_path  # where the page keeps the report of refused rows
    manager = make_member(Role.MANAGER, username="nina", first_name="Nina", last_name="Berg")
    ImportRun.objects.create(source="olist", files=["olist_closed_deals_dataset.csv"],
                             status="committed", rows_read=8842, created={"journeys": 8000},
                             seconds=9.4)  # fmt: skip
    log_in(page, live_server, manager.user.username)

    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Import CSV files")).to_be_visible()
    page.get_by_label("Files", exact=True).set_input_files(
        [FilePayload(name="companies.csv", mimeType="text/csv", buffer=COMPANIES)]
    )
    page.get_by_label("Your own mapping file (.toml)").set_input_files(
        [FilePayload(name="oldcrm-companies.toml", mimeType="application/toml", buffer=MAPPING)]
    )
    page.get_by_role("button", name="Check and import").click()

    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    refused = page.locator("table.refused-rows tbody tr")
    expect(refused).to_have_count(3)
    expect(refused.first).to_contain_text("about fifty")
    expect(page.get_by_role("link", name="Download the report (CSV)")).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "import.png", full_page=True)
    assert not Account.objects.exists()


@pytest.mark.browser
def test_a_manager_merges_a_duplicate_account_from_its_page(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    sdr = make_member(Role.SDR, first_name="Sam", last_name="Ortiz")
    manager = make_member(Role.MANAGER, team=sdr.team)
    kept = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    capture_need(kept, "Carrier costs per shipment", by=sdr.user)
    duplicate = make_journey(owner=sdr, name="Globex Corporation")
    capture_need(duplicate, "Weekly reporting for the board", by=sdr.user)
    move_stage(duplicate, stage("disqualified"), by=sdr.user, reason="Duplicate lead")
    log_in(page, live_server, manager.user.username)

    page.goto(f"{live_server.url}/accounts/{kept.account_id}/")
    page.get_by_role("link", name="Merge with another account…").click()
    page.get_by_label("Name, domain or id").fill("globex corp")
    page.get_by_role("button", name="Search").click()
    found = page.locator("tbody tr", has_text="Globex Corporation")
    found.get_by_role("link", name="Merge into Globex").click()
    expect(
        page.get_by_role("heading", name="Merge Globex Corporation into Globex?")
    ).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "merge.png", full_page=True)

    page.get_by_role("button", name="Merge Globex Corporation into Globex").click()
    expect(page.get_by_role("heading", level=1, name="Globex")).to_be_visible()
    timeline = page.locator("#timeline-list")
    expect(timeline).to_contain_text("Globex Corporation merged into this one")
    expect(timeline).to_contain_text("Weekly reporting for the board")
    expect(timeline).to_contain_text("Carrier costs per shipment")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "merged-account.png", full_page=True)
