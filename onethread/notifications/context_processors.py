from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.notifications.queries import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count for the navigation: one COUNT query, only when a
    template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
