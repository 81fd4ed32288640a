"""Spans of time in words: how long a lead waited, how long a handoff has left."""

import datetime as dt

from django import template

from onethread.journeys.models import Journey

register = template.Library()

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def duration_words(span: dt.timedelta) -> str:
    """'45 min', '2 h 14 min', '3 days 4 h': the two largest units, rounded down."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < MINUTE:
        return "under a minute"
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        day_words = f"{days} day{'s' if days != 1 else ''}"
        return f"{day_words} {hours} h" if hours else day_words
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@register.filter
def duration(span: dt.timedelta | None) -> str:
    return "" if span is None else duration_words(span)


@register.filter
def speed_to_lead(journey: Journey, now: dt.datetime) -> str:
    """'first touch after 2 h 14 min', or how long the lead has waited untouched."""
    if journey.speed_to_lead is not None:
        return f"first touch after {duration_words(journey.speed_to_lead)}"
    if journey.is_closed:
        return "no touch logged"
    days = max((now - journey.opened_at).days, 0)
    if days == 0:
        return f"no touch yet, lead open for {duration_words(now - journey.opened_at)}"
    return f"no touch yet, lead open for {days} day{'s' if days != 1 else ''}"
