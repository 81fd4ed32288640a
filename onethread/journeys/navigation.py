"""What every page's navigation counts for the signed-in user: handoffs
waiting for them, their open signals and unread notifications, in one query
(one round trip instead of three), read once per request and only when a
template shows a count (htmx fragments do not)."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import F, Func, QuerySet
from django.http import HttpRequest

from onethread.handoffs.models import Handoff
from onethread.journeys.access import viewer_for
from onethread.journeys.prepared import Prepared
from onethread.notifications.models import Notification
from onethread.signals.models import Signal

NO_COUNTS = {"handoffs_waiting": 0, "open_signals": 0, "unread_notifications": 0}


def request_nav_counts(request: HttpRequest) -> dict[str, int]:
    """The counts, read at the first call of a request and kept on it."""
    counts: dict[str, int] | None = getattr(request, "_nav_counts", None)
    if counts is None:
        counts = nav_counts(getattr(request, "user", None))
        request._nav_counts = counts  # type: ignore[attr-defined]
    return counts


def _count(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")


# Compiled once (journeys/prepared.py): every page runs them.
HANDOFFS_WAITING: Prepared[Handoff] = Prepared(
    lambda member: _count(
        Handoff.objects.filter(to_member_id=member, status=Handoff.Status.PENDING)
    ),
    member=int,
)
OPEN_SIGNALS: Prepared[Signal] = Prepared(
    lambda member: _count(Signal.objects.filter(routed_to_id=member, status=Signal.Status.OPEN)),
    member=int,
)
UNREAD_NOTIFICATIONS: Prepared[Notification] = Prepared(
    lambda user: _count(Notification.objects.filter(recipient_id=user, read_at__isnull=True)),
    user=int,
)


def nav_counts(user: User | AnonymousUser | None) -> dict[str, int]:
    if user is None or not user.is_authenticated:
        return dict(NO_COUNTS)
    member = viewer_for(user).member
    counts = [
        None if member is None else HANDOFFS_WAITING.sql(member=member.pk),
        None if member is None else OPEN_SIGNALS.sql(member=member.pk),
        UNREAD_NOTIFICATIONS.sql(user=user.pk),
    ]
    parts, params = [], []
    for count in counts:
        if count is None:
            parts.append("0")
            continue
        sql, count_params = count
        parts.append(f"({sql})")
        params += count_params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(NO_COUNTS, (int(value or 0) for value in row), strict=True))
