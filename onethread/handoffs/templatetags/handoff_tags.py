import datetime as dt

from django import template

from onethread.handoffs.models import Handoff
from onethread.journeys.templatetags.journey_time import duration_words

register = template.Library()


@register.filter
def handoff_overdue(handoff: Handoff, now: dt.datetime) -> bool:
    return handoff.is_overdue(now)


@register.filter
def sla_clock(handoff: Handoff, now: dt.datetime) -> str:
    """'due in 5 h 12 min', 'overdue by 2 h', or how long the answer took."""
    if not handoff.is_pending:
        answered = handoff.responded_at or handoff.sent_at
        took = duration_words(answered - handoff.sent_at)
        late = " (after the SLA)" if answered > handoff.due_at else ""
        return f"answered after {took}{late}"
    if handoff.is_overdue(now):
        return f"overdue by {duration_words(now - handoff.due_at)}"
    return f"due in {duration_words(handoff.due_at - now)}"


@register.filter
def percent(share: float | None) -> int:
    """A share from 0 to 1 as a whole percentage."""
    return round(100 * (share or 0))


@register.filter
def as_datetime(value: str | None) -> dt.datetime | None:
    """A moment frozen in a brief (ISO 8601), for the date filter."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@register.filter
def as_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@register.filter
def hours_duration(hours: float | None) -> str:
    """A number of hours frozen in a brief, in words."""
    return "" if hours is None else duration_words(dt.timedelta(hours=hours))
