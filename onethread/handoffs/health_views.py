"""Handoff health pages: a team's, and a member's own. Both show what the next
stage says about the handoffs sent, and what was received from the stage before."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onethread.handoffs.access import get_team_for_handoff_health, handoff_health_teams
from onethread.handoffs.charts import Chart, trend_charts
from onethread.handoffs.insights import (
    DEFAULT_PERIOD,
    PERIODS,
    Period,
    Report,
    period_ending,
    read_handoff_rows,
    report,
)
from onethread.handoffs.models import Handoff
from onethread.journeys.access import viewer_for


@dataclass(frozen=True)
class Side:
    report: Report
    charts: list[Chart]


def _side(handoffs: QuerySet[Handoff], period: Period, now: dt.datetime) -> Side:
    tz = timezone.get_current_timezone()
    side = report(read_handoff_rows(handoffs, period), period, now=now, tz=tz)
    return Side(report=side, charts=trend_charts(side.months))


def _period(request: HttpRequest, now: dt.datetime) -> Period:
    months = request.GET.get("months", "")
    chosen = int(months) if months.isdigit() and int(months) in PERIODS else DEFAULT_PERIOD
    return period_ending(now, chosen, timezone.get_current_timezone())


@require_GET
def team_handoffs(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_handoff_health(request.user, team_id)
    now = timezone.now()
    period = _period(request, now)
    context = {
        "team": team,
        "teams": list(handoff_health_teams(request.user)),
        "period": period,
        "periods": PERIODS,
        "sent": _side(Handoff.objects.filter(from_member__team=team), period, now),
        "received": _side(Handoff.objects.filter(to_member__team=team), period, now),
        "nav": "handoff-health",
    }
    return render(request, "handoffs/team_handoffs.html", context)


@require_GET
def my_handoffs(request: HttpRequest) -> HttpResponse:
    member = viewer_for(request.user).member
    if member is None:
        raise Http404("Only members of a team send and receive handoffs.")
    now = timezone.now()
    period = _period(request, now)
    context = {
        "member": member,
        "period": period,
        "periods": PERIODS,
        "sent": _side(Handoff.objects.filter(from_member=member), period, now),
        "received": _side(Handoff.objects.filter(to_member=member), period, now),
        "nav": "handoff-health",
    }
    return render(request, "handoffs/my_handoffs.html", context)
