"""The notifications page, opening one, marking all read, the unread count in
the navigation, and the emails."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onethread.journeys.services import add_note
from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, make_user

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def notify_times(user, count, *, start=START):
    for n in range(count):
        notify(
            [user],
            kind=Notification.Kind.MENTION,
            text=f"Message {n}",
            url=f"/accounts/{n + 1}/",
            at=start + dt.timedelta(minutes=n),
        )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_page_lists_newest_first_and_marks_unread_ones(client):
    user = make_member(Role.SDR).user
    notify_times(user, 3)
    Notification.objects.filter(text="Message 0").update(read_at=timezone.now())
    login(client, user)
    response = client.get(reverse("notifications"))
    html = response.content.decode()
    assert html.index("Message 2") < html.index("Message 1") < html.index("Message 0")
    assert html.count('class="notification unread') == 2
    assert "Mark all read" in html
    assert (
        f'href="{reverse("notification", args=[Notification.objects.get(text="Message 2").pk])}"'
        in html
    )


def test_pages_follow_the_key_and_never_repeat_or_skip(client):
    user = make_member(Role.SDR).user
    notify_times(user, 35)
    # Two at the very same moment: the id breaks the tie.
    notify_times(user, 1, start=START + dt.timedelta(minutes=5))
    login(client, user)
    first = client.get(reverse("notifications"))
    older = first.context["page"].older
    assert len(first.context["page"].notifications) == 30
    second = client.get(reverse("notifications"), {"before": older})
    assert second.context["page"].older is None
    shown = [
        n.pk for n in first.context["page"].notifications + second.context["page"].notifications
    ]
    assert sorted(shown) == sorted(
        Notification.objects.filter(recipient=user).values_list("pk", flat=True)
    )
    assert len(set(shown)) == 36


def test_a_forged_page_key_answers_400(client):
    user = make_member(Role.SDR).user
    login(client, user)
    assert client.get(reverse("notifications"), {"before": "not-a-key"}).status_code == 400


def test_the_page_query_count_does_not_grow_with_the_notifications(
    client, django_assert_max_num_queries
):
    few, many = make_member(Role.SDR).user, make_member(Role.SDR).user
    notify_times(few, 2)
    notify_times(many, 60)
    login(client, few)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("notifications"))
    client.logout()
    login(client, many)
    with django_assert_max_num_queries(10) as large:
        client.get(reverse("notifications"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_opening_one_marks_it_read_and_goes_to_its_target(client):
    user = make_member(Role.SDR).user
    notify_times(user, 2)
    notification = Notification.objects.get(text="Message 1")
    login(client, user)
    response = client.get(reverse("notification", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == "/accounts/2/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert Notification.objects.get(text="Message 0").read_at is None


def test_someone_elses_notification_answers_404_and_stays_unread(client):
    theirs = make_member(Role.SDR).user
    notify_times(theirs, 1)
    notification = Notification.objects.get()
    login(client, make_member(Role.SDR).user)
    assert client.get(reverse("notification", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_target_on_another_site_is_not_followed(client):
    user = make_member(Role.SDR).user
    notify([user], kind=Notification.Kind.MENTION, text="Odd", url="https://evil.example/")
    login(client, user)
    response = client.get(reverse("notification", args=[Notification.objects.get().pk]))
    assert response.url == reverse("notifications")


def test_mark_all_read_marks_only_mine(client):
    mine, theirs = make_member(Role.SDR).user, make_member(Role.SDR).user
    notify_times(mine, 3)
    notify_times(theirs, 2)
    login(client, mine)
    assert client.get(reverse("notifications")).context["unread_notifications"] == 3
    response = client.post(reverse("notifications-read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=mine, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=theirs, read_at__isnull=True).count() == 2
    assert client.get(reverse("notifications-read")).status_code == 405


def test_the_navigation_shows_the_unread_count_with_one_count_query(
    client, django_assert_max_num_queries
):
    sdr = make_member(Role.SDR, username="lena")
    journey = make_journey(owner=sdr)
    notify_times(sdr.user, 4)
    login(client, sdr.user)
    with django_assert_max_num_queries(30) as queries:
        html = client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    assert '<span class="nav-count">4<span class="visually-hidden"> unread</span></span>' in html
    counting = [
        q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]
    ]
    assert len(counting) == 1
    assert "COUNT(" in counting[0].upper()


def test_no_unread_count_when_everything_is_read(client):
    user = make_member(Role.SDR).user
    login(client, user)
    assert "nav-count" not in client.get(reverse("notifications")).content.decode()


@override_settings(EMAIL_ENABLED=True, TASKS=IMMEDIATE_TASKS)
def test_a_mention_is_emailed_when_email_is_configured(
    mailoutbox, django_capture_on_commit_callbacks
):
    sdr = make_member(Role.SDR, username="lena", first_name="Lena")
    make_member(Role.AE, team=sdr.team, username="alex", email="alex@example.com")
    journey = make_journey(owner=sdr, name="Globex")
    with django_capture_on_commit_callbacks(execute=True):
        event = add_note(journey, "@alex can you join Thursday?", by=sdr.user)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["alex@example.com"]
    assert email.subject == "[onethread] Mentioned you"
    assert "Lena mentioned you on Globex" in email.body
    assert f"/accounts/{journey.account_id}/#event-{event.pk}" in email.body


@override_settings(EMAIL_ENABLED=False, TASKS=IMMEDIATE_TASKS)
def test_no_email_without_an_email_server(mailoutbox, django_capture_on_commit_callbacks):
    sdr = make_member(Role.SDR, username="lena")
    make_member(Role.AE, team=sdr.team, username="alex")
    with django_capture_on_commit_callbacks(execute=True):
        add_note(make_journey(owner=sdr), "@alex hello", by=sdr.user)
    assert mailoutbox == []
    assert Notification.objects.count() == 1


def test_a_user_without_a_team_sees_an_empty_page(client):
    user = make_user()
    login(client, user)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "Nothing yet" in response.content.decode()
