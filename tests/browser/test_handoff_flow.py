"""The must-show handoff: an SDR sends a journey to an AE with a required item
missing and is asked for an override reason; the AE returns it for missing
information; the SDR completes it and sends again; the AE accepts and rates
it; the account page shows the new stage and owner, both people on the
account team, and the whole exchange on the timeline."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onethread.customers.services import add_contact
from onethread.handoffs.models import Handoff
from onethread.handoffs.services import send_handoff
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind, Journey
from onethread.needs.services import capture_need
from onethread.team.models import Member, Role
from tests.browser.conftest import AxeCheck
from tests.builders import PASSWORD, make_journey, make_member, make_team, stage, transition

ACCOUNT = "Brightwater Foods"
HANDOFF_KINDS = [
    EventKind.HANDOFF_SENT,
    EventKind.HANDOFF_RETURNED,
    EventKind.HANDOFF_ACCEPTED,
    EventKind.STAGE_ENTERED,
    EventKind.OWNER_CHANGED,
]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Journey board")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to onethread")).to_be_visible()


def new_business_team() -> dict[str, Member]:
    """The people of a small sales team, by username."""
    team = make_team("New business")
    people = [
        ("sam", "Sam", "Okafor", Role.SDR),
        ("sofia", "Sofia", "Marin", Role.SDR),
        ("alex", "Alex", "Novak", Role.AE),
        ("maya", "Maya", "Lindqvist", Role.AE),
        ("nina", "Nina", "Duarte", Role.MANAGER),
    ]
    return {
        username: make_member(role, team=team, username=username, first_name=first, last_name=last)
        for username, first, last, role in people
    }


def waiting_for_alex(team: dict[str, Member]) -> None:
    """Two other handoffs in Alex's inbox, one of them past its SLA."""
    for name, hours_ago in [("Northwind Retail", 30.0), ("Ironbridge Components", 2.0)]:
        journey = make_journey(owner=team["sofia"], stage_key="qualification", name=name)
        capture_need(journey, "Live carrier tracking for customers", by=team["sofia"].user)
        send_handoff(
            journey,
            by=team["sofia"].user,
            to_stage=stage("closing"),
            to_member=team["alex"],
            override_reason="Asked for pricing",
            at=timezone.now() - dt.timedelta(hours=hours_ago),
        )


def qualified_journey(sam: Member) -> Journey:
    """Sam's journey in qualification: a need and a champion, no decision maker."""
    journey = make_journey(owner=sam, stage_key="qualification", name=ACCOUNT, source="website")
    capture_need(journey, "Cut carrier costs across 14 bakeries", by=sam.user, priority=2)
    champion = add_contact(
        journey.account, "Ines Moreau", by=sam.user, title="Logistics lead", buying_role="champion"
    )
    log_interaction(
        journey,
        channel="call",
        direction="outbound",
        summary="Discovery call: 14 sites, carrier invoices checked by hand every week.",
        by=sam.user,
        contacts=[champion],
    )
    return journey


def open_brief_from_inbox(page: Page, base: str) -> None:
    page.get_by_role("link", name="Handoffs").click()
    expect(page.get_by_role("heading", name="Handoffs")).to_be_visible()
    page.get_by_role("link", name=ACCOUNT).click()
    expect(page.get_by_role("heading", level=1, name=ACCOUNT)).to_be_visible()
    assert base in page.url


@pytest.mark.browser
def test_an_sdr_and_an_ae_hand_a_journey_off_until_it_is_accepted(
    page: Page, live_server: LiveServer, axe_check: AxeCheck, screenshot_dir: Path
) -> None:
    transition("qualification", "closing")  # the default contract and return reasons
    team = new_business_team()
    waiting_for_alex(team)
    journey = qualified_journey(team["sam"])
    alex = team["alex"]
    base = live_server.url
    account_url = f"{base}/accounts/{journey.account_id}/"

    # Sam sends it with the decision maker and two confirmations missing.
    log_in(page, base, "sam")
    page.goto(account_url)
    page.get_by_text("Hand off to the next stage").click()
    page.get_by_label("Receiver", exact=True).select_option(str(alex.pk))
    page.get_by_label("Notes for the receiver").fill("Warm: they lose margin on every carrier.")
    page.get_by_label("Open questions").fill("Who signs above 50k?")
    page.get_by_role("button", name="Send to Closing").click()
    refusal = page.locator(".override-field .error")
    expect(refusal).to_contain_text(
        "Required for the next stage but missing: Decision maker identified"
    )
    expect(page.get_by_label("Reason to send it with required items missing")).to_have_attribute(
        "aria-invalid", "true"
    )
    axe_check(page)
    page.screenshot(path=screenshot_dir / "handoff-send-override.png", full_page=True)
    page.get_by_label("Reason to send it with required items missing").fill(
        "They want a quote before Friday"
    )
    page.get_by_role("button", name="Send to Closing").click()
    expect(page.locator("#handoff-banner")).to_contain_text("Handed off to Alex Novak for Closing")
    page.screenshot(path=screenshot_dir / "handoff-pending-account.png")
    log_out(page)

    # Alex reads the brief and returns it for missing information.
    log_in(page, base, "alex")
    expect(page.locator(".topbar .nav-count").first).to_be_visible()
    page.get_by_role("link", name="Handoffs").click()
    expect(page.get_by_role("link", name=ACCOUNT)).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshot_dir / "handoff-inbox.png", full_page=True)
    page.get_by_role("link", name=ACCOUNT).click()
    expect(page.get_by_text("They want a quote before Friday")).to_be_visible()
    expect(page.locator(".contract .score")).to_contain_text("25%")
    axe_check(page)
    page.screenshot(path=screenshot_dir / "handoff-brief.png", full_page=True)
    page.get_by_label("Why return it?").select_option(label="Missing information")
    page.get_by_label("Comment for Sam Okafor").fill(
        "Who decides? Please name the decision maker and confirm budget and timing."
    )
    page.get_by_role("button", name="Return to Sam Okafor").click()
    expect(page.locator("#answer")).to_contain_text("Missing information")
    log_out(page)

    # Sam adds the decision maker, answers the confirmations and sends again.
    log_in(page, base, "sam")
    page.goto(account_url)
    expect(page.locator("#handoff-banner")).to_contain_text("Returned by Alex Novak")
    page.screenshot(path=screenshot_dir / "handoff-returned-account.png")
    page.get_by_text("Add a contact").click()
    page.get_by_label("Name", exact=True).fill("Dana Whitfield")
    page.get_by_label("Title").fill("CFO")
    page.get_by_label("Buying role").select_option(label="Decision maker")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#timeline-list")).to_contain_text("Contact added: Dana Whitfield")
    page.get_by_text("Hand off to the next stage").click()
    page.get_by_label("Receiver", exact=True).select_option(str(alex.pk))
    page.get_by_label("Timing and budget known").fill("Budget 40k approved, decision by March")
    page.get_by_label("Next step agreed with the customer").fill("Demo for the CFO on Tuesday")
    page.get_by_role("button", name="Send to Closing").click()
    expect(page.locator("#handoff-banner")).to_contain_text("Handed off to Alex Novak for Closing")
    log_out(page)

    # Alex accepts it, rated 4.
    log_in(page, base, "alex")
    open_brief_from_inbox(page, base)
    expect(page.locator(".contract .score")).to_contain_text("100%")
    page.screenshot(path=screenshot_dir / "handoff-brief-complete.png", full_page=True)
    page.locator('input[name="rating"][value="4"]').check()
    page.get_by_label("Something else was missing").fill("Procurement steps")
    page.get_by_role("button", name="Accept and take it over").click()
    expect(page.locator("#answer")).to_contain_text("Rated 4/5")

    # The account page tells the whole exchange.
    page.get_by_role("link", name="Open the account thread").click()
    header = page.locator(".thread-head")
    expect(header.locator(".stage-pill")).to_have_text("Closing")
    expect(header).to_contain_text("Alex Novak")
    account_team = page.locator(".account-team")
    expect(account_team).to_contain_text("Sam Okafor")
    expect(account_team).to_contain_text("Alex Novak")
    timeline = page.locator("#timeline-list")
    expect(timeline).to_contain_text("Owner changed from Sam Okafor to Alex Novak")
    expect(timeline).to_contain_text("Moved from Qualification to Closing")
    expect(timeline).to_contain_text("accepted, rated 4/5")
    expect(timeline).to_contain_text("returned — Missing information")
    page.screenshot(path=screenshot_dir / "handoff-accepted-account.png", full_page=True)

    first_sent = journey.events.filter(kind=EventKind.HANDOFF_SENT).order_by("id").first()
    assert first_sent is not None
    kinds = list(
        journey.events.filter(id__gte=first_sent.pk, kind__in=HANDOFF_KINDS)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        EventKind.HANDOFF_SENT,
        EventKind.HANDOFF_RETURNED,
        EventKind.HANDOFF_SENT,
        EventKind.HANDOFF_ACCEPTED,
        EventKind.STAGE_ENTERED,
        EventKind.OWNER_CHANGED,
    ]
    statuses = list(Handoff.objects.filter(journey=journey).order_by("id").values_list("status"))
    assert statuses == [("returned",), ("accepted",)]
    journey.refresh_from_db()
    assert (journey.stage.key, journey.owner) == ("closing", alex)
