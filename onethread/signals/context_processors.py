"""What every page's navigation shows about signals."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onethread.signals.queries import open_count


def signal_counts(request: HttpRequest) -> dict[str, object]:
    """How many open signals wait for the signed-in member: one COUNT, run
    only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open_signals": 0}
    return {"open_signals": SimpleLazyObject(lambda: open_count(user))}
