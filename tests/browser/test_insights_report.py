"""The HTML compartmentalisation report, opened from disk in Chromium: its
charts render (bars and dots with a size), it needs no network, and it passes
the accessibility check."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from onethread.insights.tests.journeys import a_small_company
from tests.browser.conftest import AxeCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_html_report_renders_its_charts_offline(
    page: Page, tmp_path: Path, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    a_small_company()
    target = tmp_path / "report.html"
    call_command("report", format="html", output=str(target))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(target.as_uri())

    assert page.locator("svg.chart").count() >= 5
    widths = page.locator("svg.chart rect.bar").evaluate_all(
        "bars => bars.map(bar => bar.getBoundingClientRect().width)"
    )
    assert sum(1 for width in widths if width > 1) >= 5
    assert page.locator("svg.chart circle.dot").count() >= 3
    assert page.get_by_role("heading", name="The biggest leaks").is_visible()
    assert [url for url in requests if not url.startswith("file:")] == []
    axe_check(page)
    page.screenshot(path=screenshot_dir / "insights-report.png", full_page=True)
