import datetime as dt

import pytest
from django.utils import timezone

from onethread.notifications.models import Notification
from onethread.notifications.services import notify
from onethread.team.models import Role
from tests.builders import make_member

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def notified(user, count):
    """`count` notifications a minute apart, oldest first."""
    return [
        notify(
            [user],
            kind=Notification.Kind.MENTION,
            text=f"Message {n}",
            url=f"/accounts/{n + 1}/",
            at=START + dt.timedelta(minutes=n),
        )[0]
        for n in range(count)
    ]


def test_notifications_are_listed_newest_first_and_filtered_by_unread(api_as):
    member = make_member(Role.SDR)
    first, second, third = notified(member.user, 3)
    Notification.objects.filter(pk=second.pk).update(read_at=timezone.now())
    notified(make_member(Role.SDR).user, 2)  # someone else's
    api = api_as(member)
    listed = api.get("/notifications").json()["items"]
    assert [n["id"] for n in listed] == [third.pk, second.pk, first.pk]
    assert listed[0]["text"] == "Message 2"
    assert (listed[0]["kind"], listed[0]["url"], listed[0]["read_at"]) == (
        "mention",
        "/accounts/3/",
        None,
    )
    unread = api.get("/notifications", unread="true").json()["items"]
    assert [n["id"] for n in unread] == [third.pk, first.pk]
    read = api.get("/notifications", unread="false").json()["items"]
    assert [n["id"] for n in read] == [second.pk]


@pytest.mark.parametrize("count", [3, 12])
def test_notification_pages_return_each_once_in_bounded_queries(
    api_as, django_assert_max_num_queries, count
):
    member = make_member(Role.SDR)
    made = notified(member.user, count)
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"after": cursor} if cursor else {})}
        with django_assert_max_num_queries(2):
            body = api.get("/notifications", **params).json()
        seen += [n["id"] for n in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [n.pk for n in reversed(made)]


def test_marking_named_notifications_read_leaves_the_others_and_other_peoples(api_as):
    member = make_member(Role.SDR)
    first, second, third = notified(member.user, 3)
    (theirs,) = notified(make_member(Role.SDR).user, 1)
    response = api_as(member).post("/notifications/read", {"ids": [first.pk, theirs.pk]})
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 2}
    unread = Notification.objects.filter(read_at__isnull=True)
    assert set(unread.values_list("pk", flat=True)) == {second.pk, third.pk, theirs.pk}


def test_marking_all_read(api_as):
    member = make_member(Role.SDR)
    notified(member.user, 3)
    (theirs,) = notified(make_member(Role.SDR).user, 1)
    response = api_as(member).post("/notifications/read", {"all": True})
    assert response.json() == {"marked": 3, "unread": 0}
    assert list(Notification.objects.filter(read_at__isnull=True)) == [theirs]


@pytest.mark.parametrize(
    "body", [{}, {"ids": []}, {"ids": [1], "all": True}, {"all": False}, {"ids": [0]}]
)
def test_marking_read_needs_ids_or_all_but_not_both(api_as, body):
    member = make_member(Role.SDR)
    notified(member.user, 1)
    response = api_as(member).post("/notifications/read", body)
    assert response.status_code == 422
    assert "ids" in "".join(response.json()["errors"])
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
