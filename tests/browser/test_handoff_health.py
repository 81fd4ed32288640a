"""The empathy loop and the notifications, in a real browser: Alex asks Lena a
question from the account team; Lena sees it in her notifications, opens it,
and looks at how the next stage rates her team's handoffs."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.journeys.services import add_note
from onethread.notifications.models import Notification
from onethread.notifications.services import mark_read
from onethread.team.models import Member, Role
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_journey, make_member, make_team, return_reason, transition

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MISSING = ["Budget owner", "Decision date", "Success criteria"]


def handoffs_over_six_months(sdr: Member, ae: Member) -> None:
    """Three or four handoffs a month, most accepted, ratings rising."""
    now = timezone.now()
    closing = transition("qualification", "closing").to_stage
    for month in range(6):
        for n in range(3 + month % 2):
            sent_at = now - (170 - month * 30 - n * 5) * DAY
            journey = make_journey(
                owner=sdr, stage_key="qualification", name=f"Account {month}-{n}", at=sent_at - DAY
            )
            handoff = send_handoff(
                journey,
                by=sdr.user,
                to_stage=closing,
                to_member=ae,
                override_reason="The customer asked for a quote",
                at=sent_at,
            )
            answered = sent_at + (3 + 8 * n + (20 if month == 1 else 0)) * HOUR
            if n == 2 and month < 4:
                return_handoff(
                    handoff,
                    by=ae.user,
                    reason=return_reason("missing_information" if month % 2 else "bad_timing"),
                    at=answered,
                )
            else:
                accept_handoff(
                    handoff,
                    by=ae.user,
                    rating=min(2 + month // 2 + n % 2, 5),
                    missing=MISSING[: max(2 - month // 2, 0) + n % 2],
                    at=answered,
                )


@pytest.mark.browser
def test_a_question_reaches_its_member_who_then_reads_the_handoff_health(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    sales, closers = make_team("Sales"), make_team("Closers")
    lena = make_member(
        Role.SDR, team=sales, username="lena", first_name="Lena", last_name="Petrova"
    )
    alex = make_member(
        Role.AE, team=closers, username="alex", first_name="Alex", last_name="Moreau"
    )
    handoffs_over_six_months(lena, alex)
    # Lena has read what came before this month.
    month_ago = timezone.now() - 30 * DAY
    mark_read(
        lena.user,
        Notification.objects.filter(created_at__lt=month_ago).values_list("pk", flat=True),
    )
    journey = make_journey(owner=lena, stage_key="qualification", name="Globex")
    add_note(journey, "Met their CFO; budget is approved.", by=lena.user)
    add_note(journey, "Thanks @lena, I'll take the pricing call.", by=alex.user)

    # Alex asks Lena from the account team's "Ask" button.
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/{journey.account_id}/")
    ask = page.get_by_role("button", name="Ask Lena Petrova a question")
    ask.focus()
    page.keyboard.press("Enter")
    note = page.get_by_label("Note", exact=True)
    expect(note).to_be_focused()
    expect(note).to_have_value("@lena ")
    expect(page.get_by_label("This is a question for the people I mention")).to_be_checked()
    note.press_sequentially("which carrier do they use today?")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#timeline-list")
    expect(timeline.locator(".event").first).to_contain_text(
        "Question: @lena which carrier do they use today?"
    )
    expect(timeline.locator(".event").first.locator(".mention")).to_have_text("@lena")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "account-question.png", full_page=True)
    asked = JourneyEvent.objects.filter(kind=EventKind.NOTE_ADDED).latest("id")
    assert asked.payload["question"] is True
    page.get_by_role("button", name="Log out").click()

    # Lena sees it in her notifications and opens it.
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Main")
    unread = Notification.objects.filter(recipient=lena.user, read_at__isnull=True).count()
    expect(nav.get_by_role("link", name=f"Notifications {unread} unread")).to_be_visible()
    nav.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    question = page.get_by_role("link", name="Alex Moreau asks you")
    expect(question).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "notifications.png", full_page=True)
    question.click()
    expect(page.get_by_role("heading", level=1, name="Globex")).to_be_visible()
    opened = Notification.objects.get(recipient=lena.user, text__contains="asks you")
    assert opened.read_at is not None

    # Then how Closers rate the handoffs Sales sends them.
    nav.get_by_role("link", name="Handoff health").click()
    expect(page.get_by_role("heading", level=1, name="Handoff health: Sales")).to_be_visible()
    page.get_by_role("link", name="Last 6 months").click()
    sent = page.locator("section.health").first
    expect(sent.get_by_role("heading", name="Most often missing")).to_be_visible()
    expect(sent.locator(".counted").first).to_contain_text("Budget owner")
    expect(sent.locator("svg[role=img]")).to_have_count(4)
    axe_check(page)
    page.screenshot(path=screenshot_dir / "team-handoffs.png", full_page=True)
