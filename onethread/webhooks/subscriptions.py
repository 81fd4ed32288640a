"""Which event types any active webhook wants, cached per process for a few
seconds so that recording an event costs no query when nobody listens."""

import time

from onethread.webhooks.models import Webhook

CACHE_SECONDS = 5.0

_cached: tuple[float, frozenset[str]] | None = None


def subscribed_event_types() -> frozenset[str]:
    """The event types of the active webhooks, at most CACHE_SECONDS old."""
    global _cached
    now = time.monotonic()
    if _cached is None or _cached[0] <= now:
        types = frozenset(
            event_type
            for event_types in Webhook.objects.filter(active=True).values_list(
                "event_types", flat=True
            )
            for event_type in event_types
        )
        _cached = (now + CACHE_SECONDS, types)
    return _cached[1]


def forget() -> None:
    """Drop this process's cache (after a webhook changes here); other
    processes see the change within CACHE_SECONDS."""
    global _cached
    _cached = None
