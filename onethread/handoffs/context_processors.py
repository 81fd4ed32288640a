"""What every page's navigation shows about handoffs."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.journeys.navigation import request_nav_counts


def handoff_counts(request: HttpRequest) -> dict[str, object]:
    """How many handoffs wait for the signed-in member: read with the other
    navigation counts in one query, only when a template shows one (fragments
    answering htmx requests do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"handoffs_waiting": 0}
    return {
        "handoffs_waiting": SimpleLazyObject(
            lambda: request_nav_counts(request)["handoffs_waiting"]
        )
    }
