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


def nav_counts(user: User | AnonymousUser | None) -> dict[str, int]:
    if user is None or not user.is_authenticated:
        return dict(NO_COUNTS)
    member = viewer_for(user).member
    counts: list[QuerySet[Any] | None] = [
        None
        if member is None
        else Handoff.objects.filter(to_member=member, status=Handoff.Status.PENDING),
        None
        if member is None
        else Signal.objects.filter(routed_to=member, status=Signal.Status.OPEN),
        Notification.objects.filter(recipient=user, read_at__isnull=True),
    ]
    parts, params = [], []
    for rows in counts:
        if rows is None:
            parts.append("0")
            continue
        sql, part_params = (
            rows.order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
            .query.sql_with_params()
        )
        parts.append(f"({sql})")
        params += list(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(NO_COUNTS, (int(value or 0) for value in row), strict=True))
