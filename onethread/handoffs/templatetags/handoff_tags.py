import datetime as dt

from django import template

from onethread.handoffs.models import Handoff

register = template.Library()


@register.filter
def handoff_overdue(handoff: Handoff, now: dt.datetime) -> bool:
    return handoff.is_overdue(now)
