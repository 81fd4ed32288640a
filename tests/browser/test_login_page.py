from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import AxeCheck


@pytest.mark.browser
def test_login_page_offers_an_accessible_username_and_password_form(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/login/")

    form = page.locator("form", has=page.locator('input[name="password"]'))
    expect(form.get_by_label("Username")).to_be_visible()
    expect(form.get_by_label("Password")).to_have_attribute("type", "password")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "login.png", full_page=True)
    assert (screenshot_dir / "login.png").stat().st_size > 0
