import datetime as dt

import pytest

from onethread.signals.digest import send_weekly_digests
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def silent_journeys(owner, count):
    for n in range(count):
        make_journey(owner=owner, name=f"Quiet {n}", at=NOW - dt.timedelta(days=40 + n))
    run_detectors(now=NOW)


def test_one_digest_per_member_and_week_with_their_open_signals(settings, mailoutbox):
    settings.EMAIL_ENABLED = True
    sam = make_member(Role.SDR, first_name="Sam")
    silent_journeys(sam, 2)
    make_member(Role.SDR)  # nothing open: no email
    assert send_weekly_digests(now=NOW) == 1
    assert send_weekly_digests(now=NOW + dt.timedelta(days=2)) == 0  # same week
    (mail,) = mailoutbox
    assert mail.to == [sam.user.email]
    assert mail.subject == "[onethread] Your signals this week: 2 open"
    assert "2 open signals for you (2 new this week): 2 silence." in mail.body
    assert "- Quiet 1: No interaction for 41 days" in mail.body
    assert send_weekly_digests(now=NOW + dt.timedelta(days=7)) == 1  # next week


def test_no_digest_without_email_configured(settings, mailoutbox):
    settings.EMAIL_ENABLED = False
    silent_journeys(make_member(Role.SDR), 1)
    assert send_weekly_digests(now=NOW) == 0
    assert mailoutbox == []
