"""/notifications: what concerns you (mentions, handoffs for you, answers to
yours, overdue clocks), and marking them read."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from onethread.api.auth import api_user
from onethread.api.notification_schemas import NotificationOut, NotificationQuery, ReadIn, ReadOut
from onethread.api.pagination import Key, Page, paginate
from onethread.api.schemas import PageOut
from onethread.api.schemas import error_responses as errors
from onethread.notifications.models import Notification
from onethread.notifications.queries import unread_count
from onethread.notifications.services import mark_read

router = Router(tags=["notifications"])

NOTIFICATION_ORDER = [
    Key("created_at", descending=True, kind=dt.datetime),
    Key("id", descending=True),
]


@router.get("/notifications", response={200: PageOut[NotificationOut], **errors(401, 422)})
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> Page[Notification]:
    """Your notifications, newest first; ?unread=true for the unread ones."""
    notifications = Notification.objects.filter(recipient=api_user(request))
    if query.unread is not None:
        notifications = notifications.filter(read_at__isnull=query.unread)
    return paginate(notifications, NOTIFICATION_ORDER, limit=query.limit, cursor=query.after)


@router.post("/notifications/read", response={200: ReadOut, **errors(400, 401, 422)})
def read_notifications(request: HttpRequest, data: ReadIn) -> dict[str, int]:
    """Mark the named notifications read, or all of them; ids that are not
    yours or already read are left alone."""
    user = api_user(request)
    if bool(data.ids) == data.all:
        raise ValidationError({"ids": "Name the notifications to mark read, or set all to true."})
    marked = mark_read(user, None if data.all else data.ids)
    return {"marked": marked, "unread": unread_count(user)}
