"""Shared goals in a real browser: a manager sets a team goal and sees its
progress, read from the insights metrics; "does it work?" is accessible too."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.insights.services import refresh_insights
from onethread.team.models import Role
from onethread.training.services import assign_replay, mark_replay_read, save_replay
from tests.browser.conftest import AxeCheck
from tests.browser.test_replays import log_in
from tests.builders import make_journey, make_member, make_team


@pytest.mark.browser
def test_a_manager_sets_a_team_goal_and_sees_its_progress(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    sales = make_team("Sales")
    maria = make_member(
        Role.MANAGER, team=sales, username="maria", first_name="Maria", last_name="Lind"
    )
    ae = make_member(Role.AE, team=sales, first_name="Alex", last_name="Moreau")
    for name in ("Globex", "Initech"):
        journey = make_journey(owner=ae, stage_key="onboarding", name=name)  # two deals won
    replay = save_replay(journey, title="Initech onboarded", lesson="Brief well.", by=maria)
    [assignment] = assign_replay(replay, members=[ae], by=maria)
    mark_replay_read(assignment)
    refresh_insights()  # what the worker does every minute
    today = timezone.localdate()

    log_in(page, live_server, "maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    page.get_by_role("link", name="Shared goals").click()
    expect(page.get_by_role("heading", name="Shared goals")).to_be_visible()
    page.get_by_label("Measure").select_option(label="Deals won")
    page.get_by_label("Target").fill("4")
    page.get_by_label("From").fill((today - dt.timedelta(days=7)).isoformat())
    page.get_by_label("To").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Set the goal").click()

    expect(page.get_by_role("status")).to_contain_text("The goal is set")
    row = page.get_by_role("table", name="Team goals").get_by_role("row").nth(1)
    expect(row).to_contain_text("Deals won")
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")
    expect(row.get_by_role("meter")).to_have_attribute("value", "0.500")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "goals.png", full_page=True)

    page.goto(f"{live_server.url}/training/does-it-work/")
    expect(page.get_by_role("heading", name="Does it work?")).to_be_visible()
    expect(page.get_by_role("row", name="Alex Moreau")).to_contain_text(
        "Too few handoffs to compare"
    )
    axe_check(page)
    page.screenshot(path=screenshot_dir / "does-it-work.png", full_page=True)
