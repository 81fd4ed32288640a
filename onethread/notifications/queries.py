"""Reads of a member's notifications: a page of them, and the unread count."""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.http import Http404

from onethread.notifications.models import Notification

PAGE_SIZE = 30


class BadCursor(ValueError):
    pass


@dataclass
class NotificationPage:
    notifications: list[Notification]
    older: str | None  # the cursor of the next (older) page


def encode_cursor(notification: Notification) -> str:
    raw = f"{notification.created_at.isoformat()}|{notification.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        created_at = dt.datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return created_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor("That page link is not valid.") from error


def notification_page(
    user: User | AnonymousUser, *, older_than: str | None = None, limit: int = PAGE_SIZE
) -> NotificationPage:
    """The user's notifications, newest first, paginated by (time, id)."""
    if not user.is_authenticated:
        return NotificationPage([], None)
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if older_than:
        created_at, pk = decode_cursor(older_than)
        notifications = notifications.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
        )
    page = list(notifications[: limit + 1])
    older = encode_cursor(page[limit - 1]) if len(page) > limit else None
    return NotificationPage(page[:limit], older)


def unread_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for_user(user: User | AnonymousUser, notification_id: int) -> Notification:
    """One of the user's own notifications, or 404."""
    try:
        return Notification.objects.get(pk=notification_id, recipient_id=user.pk)
    except (Notification.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such notification.") from error
