"""The replay library: build a replay from a journey, keep it with a lesson,
assign it, read it, reflect on it, print or export it."""

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onethread.journeys.access import get_journey_for_user, viewer_for, visible_journeys
from onethread.journeys.models import Journey
from onethread.training.access import (
    curator_of,
    get_assignment_for_user,
    get_replay_for_user,
    is_curator,
    visible_replays,
)
from onethread.training.forms import AssignReplayForm, ReflectionForm, SaveReplayForm
from onethread.training.models import ReplayAssignment, SavedReplay
from onethread.training.queries import (
    assignments_of,
    library,
    replay_candidates,
    replay_of,
)
from onethread.training.services import (
    assign_replay,
    mark_replay_read,
    reflect_on_replay,
    save_replay,
)

STYLESHEET = Path(__file__).resolve().parent / "static" / "training" / "replay.css"


def _first_error(error: ValidationError) -> str:
    return "; ".join(error.messages)


@require_GET
def library_page(request: HttpRequest) -> HttpResponse:
    tag = request.GET.get("tag", "").strip().lower()[:40]
    member = viewer_for(request.user).member
    curator = is_curator(request.user)
    context = {
        "assigned": assignments_of(member),
        "replays": library(request.user, visible_replays(request.user), tag),
        "tag": tag,
        "curator": curator,
        "candidates": replay_candidates(request.user, timezone.now()) if curator else [],
        "nav": "training",
    }
    return render(request, "training/library.html", context)


def _replay_context(request: HttpRequest, journey: Journey) -> dict[str, Any]:
    return {
        "journey": journey,
        "replay": replay_of(journey, now=timezone.now()),
        "can_open": visible_journeys(request.user).filter(pk=journey.pk).exists(),
        "nav": "training",
    }


@require_http_methods(["GET", "POST"])
def build_replay_page(request: HttpRequest, journey_id: int) -> HttpResponse:
    """A journey's replay as the log tells it now; curators keep it in the library."""
    journey = get_journey_for_user(request.user, journey_id)
    form = SaveReplayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        curator = curator_of(request.user)
        if form.is_valid():
            try:
                saved = save_replay(
                    journey,
                    title=form.cleaned_data["title"],
                    lesson=form.cleaned_data["lesson"],
                    tags=form.tag_list(),
                    by=curator,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The replay is in the library.")
                return redirect("replay", saved.pk)
        status = 422
    context = _replay_context(request, journey) | {
        "form": form,
        "curator": is_curator(request.user),
    }
    return render(request, "training/build.html", context, status=status)


def _saved_context(request: HttpRequest, saved: SavedReplay) -> dict[str, Any]:
    member = viewer_for(request.user).member
    mine = ReplayAssignment.objects.filter(replay=saved, member=member).first()
    curator = is_curator(request.user)
    return _replay_context(request, saved.journey) | {
        "saved": saved,
        "mine": mine,
        "reflection_form": ReflectionForm(initial={"reflection": mine.reflection if mine else ""}),
        "curator": curator,
        "assign_form": AssignReplayForm() if curator else None,
        "assignments": (
            saved.assignments.select_related("member__user", "member__team") if curator else []
        ),
    }


@require_GET
def replay_page(request: HttpRequest, replay_id: int) -> HttpResponse:
    saved = get_replay_for_user(request.user, replay_id)
    return render(request, "training/replay.html", _saved_context(request, saved))


@require_GET
def export_replay(request: HttpRequest, replay_id: int) -> HttpResponse:
    """The replay as one self-contained HTML file: styles inline, links absolute."""
    saved = get_replay_for_user(request.user, replay_id)
    context = _replay_context(request, saved.journey) | {
        "saved": saved,
        "stylesheet": STYLESHEET.read_text(encoding="utf-8"),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "exported_at": timezone.now(),
    }
    html = render_to_string("training/export.html", context, request=request)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    filename = f"replay-{saved.pk}-{slugify(saved.title)[:60] or 'journey'}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def assign_replay_view(request: HttpRequest, replay_id: int) -> HttpResponse:
    saved = get_replay_for_user(request.user, replay_id)
    curator = curator_of(request.user)
    form = AssignReplayForm(request.POST)
    if form.is_valid():
        try:
            new = assign_replay(
                saved,
                members=form.cleaned_data["members"],
                teams=form.cleaned_data["teams"],
                by=curator,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Assigned to {len(new)} more member(s).")
            return redirect("replay", saved.pk)
    context = _saved_context(request, saved) | {"assign_form": form}
    return render(request, "training/replay.html", context, status=422)


@require_POST
def mark_read_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    mark_replay_read(assignment)
    return redirect("replay", assignment.replay_id)


@require_POST
def reflect_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            reflect_on_replay(assignment, form.cleaned_data["reflection"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your reflection is saved.")
            return redirect("replay", assignment.replay_id)
    saved = get_replay_for_user(request.user, assignment.replay_id)
    context = _saved_context(request, saved) | {"reflection_form": form}
    return render(request, "training/replay.html", context, status=422)
