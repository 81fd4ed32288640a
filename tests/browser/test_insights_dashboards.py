"""The insights dashboards in a real browser: a manager opens Insights from the
main navigation, chooses the period, walks through every dashboard (charts
and tables, axe-clean), downloads a table as CSV and mistypes a cohort."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.insights import services
from onethread.insights.columnar import COPY, RESULTS
from onethread.insights.dashboards import DASHBOARDS
from onethread.insights.tests.journeys import a_small_company
from onethread.team.models import Role
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_member


@pytest.mark.browser
def test_a_manager_reads_every_dashboard_of_their_team(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    COPY.clear()
    RESULTS.clear()
    journeys = a_small_company()
    make_member(Role.MANAGER, team=journeys[0].team, username="mia", first_name="Mia")
    services.refresh_insights()

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1, name="Bow tie")).to_be_visible()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_label("To (included)").fill("2025-12-31")
    page.get_by_role("button", name="Apply").click()

    expect(
        page.get_by_role("heading", name="Stages before the commit (acquisition)")
    ).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(3)
    leads = page.get_by_role("region", name="Lead to won (table)")
    expect(leads.locator("td").first).to_have_text("12")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "insights-bow-tie.png", full_page=True)

    with page.expect_download() as download:
        sources = page.get_by_role("region", name="Lead to won by source", exact=True)
        sources.get_by_role("link", name="Download this table as CSV").click()
    assert download.value.suggested_filename == "bow-tie-by-source.csv"
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0] == "Source,Leads,Won,Conversion,Median days"

    tabs = page.get_by_role("navigation", name="Insights dashboards")
    for dashboard in DASHBOARDS[1:]:
        tabs.get_by_role("link", name=dashboard.title).click()
        expect(page.get_by_role("heading", level=1, name=dashboard.title)).to_be_visible()
        expect(page.locator("section.insights-panel").first).to_be_visible()
        assert "start=2025-01-01" in page.url
        axe_check(page)
        page.screenshot(path=screenshot_dir / f"insights-{dashboard.slug}.png", full_page=True)

    page.get_by_label("Cohort (month opened)").fill("2025-13")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the cohort as a month")
    axe_check(page)
