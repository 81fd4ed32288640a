"""Shared goals and "does it work?": managers set goals for their team or its
members and see their progress; everyone sees their own and their team's;
managers compare members' handoffs before and after their training."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from onethread.insights.services import last_refreshed
from onethread.journeys.access import viewer_for
from onethread.team.models import Member
from onethread.training.access import (
    curator_of,
    get_member_for_goals,
    is_curator,
    visible_goals,
)
from onethread.training.effect import MIN_HANDOFFS, WINDOW
from onethread.training.forms import GoalForm
from onethread.training.models import Goal
from onethread.training.queries import GoalProgress, goals_progress, training_effect
from onethread.training.services import set_goal


def _split(shown: list[GoalProgress]) -> dict[str, list[GoalProgress]]:
    return {
        "team_goals": [g for g in shown if g.goal.member_id is None],
        "member_goals": [g for g in shown if g.goal.member_id is not None],
    }


def _goals(goals: QuerySet[Goal]) -> list[GoalProgress]:
    return goals_progress(
        goals.select_related("team", "member__user", "set_by__user"), now=timezone.now()
    )


@require_http_methods(["GET", "POST"])
def goals_page(request: HttpRequest) -> HttpResponse:
    member = viewer_for(request.user).member
    form = None
    status = 200
    if is_curator(request.user):
        curator = curator_of(request.user)
        form = GoalForm(request.POST or None, curator=curator)
    if request.method == "POST":
        curator = curator_of(request.user)
        if form is not None and form.is_valid():
            try:
                set_goal(
                    team=form.chosen_team(),
                    member=form.cleaned_data["member"],
                    measure=form.cleaned_data["measure"],
                    target=form.cleaned_data["target"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    by=curator,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The goal is set.")
                return redirect("goals")
        status = 422
    context = _split(_goals(visible_goals(request.user))) | {
        "form": form,
        "me": member,
        "refreshed": last_refreshed(),
        "nav": "training",
    }
    return render(request, "training/goals.html", context, status=status)


@require_GET
def member_goals_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's own goals beside their team's."""
    member = get_member_for_goals(request.user, member_id)
    goals = Goal.objects.filter(team_id=member.team_id, member__isnull=True) | Goal.objects.filter(
        member=member
    )
    context = _split(_goals(goals)) | {
        "subject": member,
        "refreshed": last_refreshed(),
        "nav": "training",
    }
    return render(request, "training/member_goals.html", context)


@require_GET
def effect_page(request: HttpRequest) -> HttpResponse:
    curator = curator_of(request.user)
    members = Member.objects.all()
    if not curator.is_admin:
        members = members.filter(team_id=curator.team_id)
    context = {
        "comparisons": training_effect(members, now=timezone.now()),
        "min_handoffs": MIN_HANDOFFS,
        "window_days": WINDOW.days,
        "nav": "training",
    }
    return render(request, "training/effect.html", context)
