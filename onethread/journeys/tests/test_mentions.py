"""Notes with @mentions and questions: who is mentioned, who is told, and how
the timeline shows it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onethread.journeys.mentions import highlight_mentions, mentioned_usernames
from onethread.journeys.models import EventKind
from onethread.journeys.services import add_note
from onethread.notifications.models import Notification
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member


def test_mentions_are_at_names_not_email_addresses_and_drop_a_closing_dot():
    text = "Ask @sam.k about it, cc @Lena and @sam.k again; mail ann@acme.com or @maya."
    assert mentioned_usernames(text) == ["sam.k", "Lena", "maya"]
    assert mentioned_usernames("@ alone, @@x and nothing") == []


def test_highlighting_escapes_the_text_and_marks_only_resolved_mentions():
    html = highlight_mentions(
        "<b>hi</b> @sam & @ghost",
        [{"id": 1, "username": "sam", "name": "Sam <Stone>"}],
    )
    assert html == (
        '&lt;b&gt;hi&lt;/b&gt; <span class="mention" title="Sam &lt;Stone&gt;">@sam</span>'
        " &amp; @ghost"
    )


@pytest.mark.django_db
class TestMentioningMembers:
    @pytest.fixture
    def people(self):
        sdr = make_member(Role.SDR, username="lena", first_name="Lena", last_name="Petrova")
        ae = make_member(
            Role.AE, team=sdr.team, username="alex", first_name="Alex", last_name="Moreau"
        )
        journey = make_journey(owner=sdr, name="Globex")
        return sdr, ae, journey

    def test_a_mention_is_stored_on_the_event_and_notifies_the_member(self, people):
        sdr, ae, journey = people
        event = add_note(journey, "Pricing call went well, @alex please take it", by=sdr.user)
        assert event.payload["mentions"] == [
            {"id": ae.user.pk, "username": "alex", "name": "Alex Moreau"}
        ]
        assert "question" not in event.payload
        notification = Notification.objects.get(recipient=ae.user)
        assert notification.kind == Notification.Kind.MENTION
        assert notification.journey == journey
        assert notification.url == (
            reverse("account-thread", args=[journey.account_id]) + f"#event-{event.pk}"
        )
        assert notification.text == (
            "Lena Petrova mentioned you on Globex: “Pricing call went well, @alex please take it”"
        )

    def test_unknown_and_inactive_names_stay_plain_text(self, people):
        sdr, ae, journey = people
        ae.user.is_active = False
        ae.user.save()
        event = add_note(journey, "Waiting on @nobody and @alex", by=sdr.user)
        assert "mentions" not in event.payload
        assert not Notification.objects.exists()

    def test_mentioning_someone_who_cannot_see_the_journey_is_refused_naming_them(self, people):
        sdr, _, journey = people
        make_member(Role.CSM, username="chris", first_name="Chris", last_name="Wong")
        with pytest.raises(ValidationError) as refused:
            add_note(journey, "@alex and @chris, look at this", by=sdr.user)
        assert "Chris Wong cannot see this account" in str(refused.value)
        assert not journey.events.filter(kind=EventKind.NOTE_ADDED).exists()
        assert not Notification.objects.exists()

    def test_mentioning_oneself_is_recorded_but_not_notified(self, people):
        sdr, _, journey = people
        event = add_note(journey, "Reminder for @lena: send the deck", by=sdr.user)
        assert [mention["username"] for mention in event.payload["mentions"]] == ["lena"]
        assert not Notification.objects.exists()

    def test_a_question_asks_the_mentioned_member(self, people):
        sdr, ae, journey = people
        event = add_note(journey, "@alex did they agree to the pilot?", by=sdr.user, question=True)
        assert event.payload["question"] is True
        notification = Notification.objects.get(recipient=ae.user)
        assert (
            notification.text
            == "Lena Petrova asks you: “@alex did they agree to the pilot?” (Globex)"
        )

    def test_the_notification_quotes_only_the_start_of_a_long_note(self, people):
        sdr, ae, journey = people
        add_note(journey, "@alex " + "word " * 200, by=sdr.user)
        text = Notification.objects.get(recipient=ae.user).text
        assert len(text) < 250
        assert text.endswith("…”")


@pytest.mark.django_db
def test_the_note_form_asks_a_question_and_the_timeline_shows_it(client):
    sdr = make_member(Role.SDR, username="lena", first_name="Lena")
    make_member(Role.AE, team=sdr.team, username="alex", first_name="Alex", last_name="Moreau")
    journey = make_journey(owner=sdr)
    assert client.login(username="lena", password=PASSWORD)
    response = client.post(
        reverse("add-note", args=[journey.pk]),
        {"text": "@alex <b>budget</b> signed off?", "question": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong class="question">Question:</strong>' in html
    assert (
        '<span class="mention" title="Alex Moreau">@alex</span> &lt;b&gt;budget&lt;/b&gt;' in html
    )
    assert journey.events.get(kind=EventKind.NOTE_ADDED).payload["question"] is True


@pytest.mark.django_db
def test_a_refused_mention_answers_422_with_the_reason_on_the_note_form(client):
    sdr = make_member(Role.SDR, username="lena")
    make_member(Role.CSM, username="chris", first_name="Chris")
    journey = make_journey(owner=sdr)
    assert client.login(username="lena", password=PASSWORD)
    response = client.post(
        reverse("add-note", args=[journey.pk]),
        {"text": "@chris can you help?"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Chris cannot see this account" in response.content.decode()
    assert not journey.events.filter(kind=EventKind.NOTE_ADDED).exists()


@pytest.mark.django_db
def test_the_account_team_can_be_mentioned_or_asked_from_the_page(client):
    sdr = make_member(Role.SDR, username="lena")
    ae = make_member(Role.AE, team=sdr.team, username="alex", first_name="Alex")
    journey = make_journey(owner=sdr)
    add_note(journey, "Intro", by=ae.user)  # seats Alex on the account team
    assert client.login(username="lena", password=PASSWORD)
    html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert html.count('data-mention="alex"') == 2  # Mention and Ask
    assert 'data-mention="lena"' not in html  # not oneself
    assert 'name="question"' in html
    assert "note-mentions.js" in html
