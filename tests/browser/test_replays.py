"""Training from a real journey, in a real browser: a manager builds the replay
of a churned journey, tags it and assigns it to a new SDR; the SDR opens it,
sees where context was lost and writes a reflection."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.team.models import Role
from onethread.training.models import ReplayAssignment, SavedReplay
from onethread.training.services import add_playbook_item, update_playbook
from onethread.training.tests.stories import churned_story
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_journey, make_member, make_team, stage


def log_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_manager_assigns_a_churned_journeys_replay_and_the_sdr_reflects_on_it(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    sales = make_team("Sales")
    story = churned_story(
        make_member(Role.SDR, team=sales, username="lena", first_name="Lena", last_name="Petrova"),
        make_member(Role.AE, team=sales, username="alex", first_name="Alex", last_name="Moreau"),
        make_member(Role.CSM, team=sales, username="omar", first_name="Omar", last_name="Khan"),
    )
    make_member(Role.MANAGER, team=sales, username="maria", first_name="Maria", last_name="Lind")
    newcomer = make_member(
        Role.SDR, team=make_team("New hires"), username="sam", first_name="Sam", last_name="Ito"
    )

    # The manager finds the churned journey and builds its replay.
    log_in(page, live_server, "maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    page.get_by_role("link", name="Replay Globex").click()
    expect(page.get_by_role("heading", name="Replay of Globex")).to_be_visible()
    moments = page.locator(".moment")
    expect(moments).to_have_count(len(story.moments))
    page.get_by_label("Title").fill("Globex: the promise nobody kept")
    page.get_by_label("Tags").fill("onboarding, promises, churn")
    page.get_by_label("Lesson").fill("Write down who signs before handing over.")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "replay-build.png", full_page=True)
    page.get_by_role("button", name="Save replay").click()

    # It is in the library, tagged; she assigns it to the new SDR.
    expect(page.get_by_role("heading", name="Globex: the promise nobody kept")).to_be_visible()
    expect(page.get_by_role("link", name="promises")).to_be_visible()
    page.get_by_label("Members").select_option(label="Sam Ito")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Assigned to 1 more member")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "replay-assigned.png", full_page=True)
    saved = SavedReplay.objects.get()
    assert saved.tags == ["onboarding", "promises", "churn"]
    page.get_by_role("button", name="Log out").click()

    # The SDR opens it from what is assigned to them and sees the moments.
    log_in(page, live_server, "sam")
    page.goto(live_server.url + "/training/")
    assigned = page.get_by_role("region", name="Assigned to you")
    expect(assigned).to_contain_text("To read")
    assigned.get_by_role("link", name="Globex: the promise nobody kept").click()
    expect(page.locator(".moment")).to_have_count(len(story.moments))
    for label in (
        "Handoff returned",
        "Contract overridden",
        "Repeated discovery",
        "Promise broken",
        "Long silence",
    ):
        expect(page.locator(".moment-label", has_text=label).first).to_be_visible()
    page.get_by_label("Your reflection").fill(
        "I handed over without the signer too. From now on the brief names them."
    )
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_role("status")).to_contain_text("Your reflection is saved")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "replay-reflection.png", full_page=True)

    # It prints without the navigation and the forms, and downloads as one file.
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Save reflection")).to_be_hidden()
    expect(page.locator(".moment").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "replay-print.png", full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as HTML").click()
    exported = download_info.value
    assert exported.suggested_filename.startswith(f"replay-{saved.pk}-globex")
    html = Path(exported.path()).read_text(encoding="utf-8")
    assert html.count('class="moment moment-') == len(story.moments)

    assignment = ReplayAssignment.objects.get(member=newcomer)
    assert assignment.read_at is not None
    assert assignment.reflection.startswith("I handed over without the signer")


@pytest.mark.browser
def test_playbook_and_shadowing_pages_are_accessible(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    sales, success = make_team("Sales"), make_team("Customer success")
    maria = make_member(
        Role.MANAGER, team=success, username="maria", first_name="Maria", last_name="Lind"
    )
    make_member(Role.SDR, team=sales, username="sam", first_name="Sam", last_name="Ito")
    csm = make_member(Role.ONBOARDING, team=success, first_name="Omar", last_name="Khan")
    make_journey(owner=csm, stage_key="onboarding", name="Initech")
    onboarding = stage("onboarding")
    update_playbook(
        onboarding,
        good_looks_like="First value within 30 days.",
        next_stage_needs="Success criteria, agreed.",
        by=maria,
    )
    add_playbook_item(onboarding, "Kick-off call held", guidance="Within a week", by=maria)

    # The manager edits the playbook and assigns a shadowing.
    log_in(page, live_server, "maria")
    page.goto(f"{live_server.url}/training/playbooks/onboarding/")
    page.get_by_label("Step", exact=True).fill("Success criteria written down")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("Success criteria written down")).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "playbook-edit.png", full_page=True)
    page.goto(f"{live_server.url}/training/shadowing/")
    page.get_by_label("Member").select_option(label="Sam Ito")
    page.get_by_label("Stage to shadow").select_option(label="Onboarding")
    today = timezone.localdate()
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Journeys to follow").select_option(index=0)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("heading", name="Sam Ito shadows Onboarding")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Log out").click()

    # The SDR reads the followed journey, read-only, with its stage's playbook.
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/training/shadowing/")
    page.get_by_role("link", name="Onboarding").first.click()
    page.get_by_role("link", name="Initech").click()
    expect(page.get_by_role("status")).to_contain_text("read-only")
    expect(page.get_by_role("heading", name="Onboarding playbook")).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "shadowing-account.png", full_page=True)
