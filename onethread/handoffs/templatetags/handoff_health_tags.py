import datetime as dt

from django import template

from onethread.handoffs import charts

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return charts.percent(value)


@register.filter
def rating(value: float | None) -> str:
    return charts.rating(value)


@register.filter
def short_duration(value: dt.timedelta | None) -> str:
    return charts.short_duration(value)
