"""Plumbing for the browser tests (marked `browser`): the system's Chromium
driven by pytest-playwright against pytest-django's live server, a folder for
screenshots, and an accessibility check.

Chromium is /usr/bin/chromium, or $ONETHREAD_CHROMIUM; Playwright never
downloads a browser of its own. Without Chromium the tests are skipped, and in
CI (CI=true) that is a failure, as is any browser test here that ends skipped.
"""

import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}

AxeCheck = Callable[[Page], None]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI (CI=true) a browser test that ends skipped is a failure: CI must
    show that the browser tests ran, not that they were passed over."""
    report = yield
    if (
        os.environ.get("CI") == "true"
        and report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("browser")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"A browser test was skipped, which CI counts as a failure: {reason}"
    return report


@pytest.fixture(autouse=True)
def default_configuration(request: pytest.FixtureRequest) -> None:
    """A live-server test runs in a transactional database that is flushed
    after each test, taking with it the stages and handoff contracts the data
    migrations installed; put them back before each test."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from onethread.handoffs.defaults import install_defaults
    from onethread.handoffs.models import ContractItem, ReturnReason, Transition
    from onethread.journeys.models import Stage
    from onethread.journeys.stages import install_default_stages

    install_default_stages(Stage)
    install_defaults(Stage, Transition, ContractItem, ReturnReason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = os.environ.get("ONETHREAD_CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        message = (
            f"no Chromium at {executable}: scripts/ensure-chromium installs it, "
            "ONETHREAD_CHROMIUM names another path"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    """var/screenshots/ under the repository (ignored by git)."""
    path = pytestconfig.rootpath / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def axe_check() -> AxeCheck:
    """`axe_check(page)` fails the test with every serious or critical
    accessibility violation axe-core finds on the page as it is now."""
    axe = Axe()

    def check(page: Page) -> None:
        violations = [
            violation
            for violation in axe.run(page).response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        if violations:
            pytest.fail(
                f"{len(violations)} serious or critical accessibility violation(s) on "
                f"{page.url}:\n" + "\n".join(describe(violation) for violation in violations)
            )

    return check


def describe(violation: dict[str, Any]) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"]]
    shown = ", ".join(targets[:5]) + (f" and {len(targets) - 5} more" if len(targets) > 5 else "")
    return f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({shown})"
