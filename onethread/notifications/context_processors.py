from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.journeys.navigation import request_nav_counts


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count for the navigation: read with the other navigation
    counts in one query, only when a template shows one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: request_nav_counts(request)["unread_notifications"]
        )
    }
