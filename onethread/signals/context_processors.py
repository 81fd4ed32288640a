"""What every page's navigation shows about signals."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.journeys.navigation import request_nav_counts


def signal_counts(request: HttpRequest) -> dict[str, object]:
    """How many open signals wait for the signed-in member: read with the
    other navigation counts in one query, only when a template shows one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open_signals": 0}
    return {"open_signals": SimpleLazyObject(lambda: request_nav_counts(request)["open_signals"])}
