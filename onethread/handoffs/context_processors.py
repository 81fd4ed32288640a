"""What every page's navigation shows about handoffs."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.handoffs.queries import waiting_count


def handoff_counts(request: HttpRequest) -> dict[str, object]:
    """How many handoffs wait for the signed-in member: one COUNT, run only
    when a template shows it (fragments answering htmx requests do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"handoffs_waiting": 0}
    return {"handoffs_waiting": SimpleLazyObject(lambda: waiting_count(user))}
