from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from onethread.notifications.models import Notification


@task
def email_notifications(notification_ids: list[int]) -> int:
    """Email each notification to its recipient; returns how many went out."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient"
    ):
        if not notification.recipient.email:
            continue
        link = f"\n\n{settings.ONETHREAD_BASE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=f"[onethread] {notification.get_kind_display()}",
            message=f"{notification.text}{link}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        sent += 1
    return sent
