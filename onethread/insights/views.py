"""The insights dashboards: one view renders any dashboard page, another a
panel's table as CSV; both take the same GET filters and the same rights
(onethread.insights.access)."""

import csv
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from onethread.insights.access import Scope, insights_scope, team_member_ids, teams_for
from onethread.insights.dashboards import BY_SLUG, DASHBOARDS, Dashboard, compute, dashboard_panels
from onethread.insights.forms import InsightsFilters
from onethread.insights.panels import Panel


@dataclass(frozen=True)
class Request:
    dashboard: Dashboard
    form: InsightsFilters
    scope: Scope


def _prepare(request: HttpRequest, slug: str) -> Request:
    dashboard = BY_SLUG.get(slug)
    if dashboard is None:
        raise Http404("No such dashboard.")
    probe = InsightsFilters(request.GET, today=timezone.now().date(), teams=[])
    scope = insights_scope(request.user, probe.requested_team())
    form = InsightsFilters(request.GET, today=timezone.now().date(), teams=teams_for(scope))
    return Request(dashboard, form, scope)


def _panels(prepared: Request) -> tuple[list[Panel], dt.datetime | None]:
    form, scope = prepared.form, prepared.scope
    team = form.cleaned_data.get("team") or scope.team_id
    now = timezone.now()
    results, state = compute(prepared.dashboard, form.filters(team), form.period(), now)
    shown = dashboard_panels(prepared.dashboard, results, scope, team_member_ids(scope))
    return shown, dt.datetime.fromisoformat(state[1]) if state[1] else None


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    target = reverse("insights-dashboard", args=[DASHBOARDS[0].slug])
    return redirect(target + (f"?{query}" if query else ""))


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    prepared = _prepare(request, slug)
    context = {
        "dashboard": prepared.dashboard,
        "dashboards": DASHBOARDS,
        "form": prepared.form,
        "query": request.GET.urlencode(),
        "nav": "insights",
    }
    if not prepared.form.is_valid():
        return render(request, "insights/dashboard.html", context, status=400)
    shown, refreshed = _panels(prepared)
    context.update(
        panels=shown,
        refreshed=refreshed,
        period=prepared.form.period(),
        scope=prepared.scope,
    )
    return render(request, "insights/dashboard.html", context)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str, panel: str) -> HttpResponse:
    prepared = _prepare(request, slug)
    if not prepared.form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in prepared.form.errors.items()
        )
        return HttpResponseBadRequest(f"Bad filters: {errors}", content_type="text/plain")
    shown, _ = _panels(prepared)
    chosen = next((item for item in shown if item.key == panel), None)
    if chosen is None:
        raise Http404("No such table on this dashboard.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{panel}.csv"'
    writer = csv.writer(response)
    writer.writerow([heading for _, heading in chosen.columns])
    for row in chosen.rows:
        writer.writerow(["" if row.get(key) is None else row.get(key) for key, _ in chosen.columns])
    return response
