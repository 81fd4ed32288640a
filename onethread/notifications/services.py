"""Telling members what concerns them: in the app, and by email when configured."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from onethread.journeys.models import Journey
from onethread.notifications.models import Notification
from onethread.notifications.tasks import email_notifications


@transaction.atomic
def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    text: str,
    journey: Journey | None = None,
    url: str = "",
    by: User | None = None,
    at: dt.datetime | None = None,
) -> list[Notification]:
    """One notification per distinct recipient (never the person who acted);
    their emails go out after the transaction commits."""
    at = at or timezone.now()
    seen: set[int] = set()
    notifications = []
    for recipient in recipients:
        if recipient.pk in seen or (by is not None and recipient.pk == by.pk):
            continue
        seen.add(recipient.pk)
        notifications.append(
            Notification(
                recipient=recipient,
                kind=kind,
                text=text[:500],
                journey=journey,
                url=url,
                created_at=at,
            )
        )
    created = Notification.objects.bulk_create(notifications)
    if settings.EMAIL_ENABLED and created:
        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return created


def mark_read(
    user: User, ids: Iterable[int] | None = None, *, at: dt.datetime | None = None
) -> int:
    """Mark the user's notifications read (all unread ones when ids is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=at or timezone.now())
