"""Cross-training pages: managers assign shadowings and see who has been
exposed to which stages; the member follows the journeys, takes notes and
closes it with a reflection."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onethread.journeys.access import viewer_for, visible_journeys
from onethread.journeys.models import Journey
from onethread.training.access import curator_of, get_shadowing_for_user, visible_shadowings
from onethread.training.forms import NoteForm, ReflectionForm, ShadowingForm
from onethread.training.models import Shadowing
from onethread.training.queries import exposure
from onethread.training.services import add_shadowing_note, assign_shadowing, close_shadowing

JOURNEY_CHOICES = 200


def _journeys_to_follow(request: HttpRequest) -> QuerySet[Journey]:
    """Open journeys the manager sees; a subquery bounds the choice list, and
    the form can still filter it when it validates."""
    shown = (
        visible_journeys(request.user)
        .filter(closed_at__isnull=True)
        .order_by("stage__position", "-stage_entered_at")
        .values("pk")[:JOURNEY_CHOICES]
    )
    return (
        Journey.objects.filter(pk__in=Subquery(shown))
        .select_related("account", "stage")
        .order_by("stage__position", "account__name")
    )


@require_http_methods(["GET", "POST"])
def shadowings_page(request: HttpRequest) -> HttpResponse:
    """One's shadowings; for managers, the assignment form and the exposure map."""
    member = viewer_for(request.user).member
    shadowings = visible_shadowings(request.user)
    manager = member is not None and (member.is_manager or member.is_admin)
    form = None
    status = 200
    if manager:
        form = ShadowingForm(request.POST or None, journeys=_journeys_to_follow(request))
    if request.method == "POST":
        curator = curator_of(request.user)
        if form is not None and form.is_valid():
            try:
                shadowing = assign_shadowing(
                    form.cleaned_data["member"],
                    form.cleaned_data["stage"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    journeys=form.cleaned_data["journeys"],
                    by=curator,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{shadowing.member.name} shadows {shadowing.stage}.")
                return redirect("shadowing", shadowing.pk)
        status = 422
    context = {
        "mine": shadowings.filter(member=member).select_related("stage"),
        "form": form,
        "exposure": exposure(shadowings) if manager else [],
        "today": timezone.localdate(),
        "nav": "training",
    }
    return render(request, "training/shadowings.html", context, status=status)


def _shadowing_context(request: HttpRequest, shadowing: Shadowing) -> dict[str, object]:
    today = timezone.localdate()
    own = shadowing.member.user_id == request.user.pk
    return {
        "shadowing": shadowing,
        "own": own,
        "running": shadowing.is_running(today),
        "followed": shadowing.followed.select_related("journey__account", "journey__stage"),
        "notes": shadowing.notes.select_related("journey__account"),
        "reads": shadowing.reads.order_by()
        .values("journey__account__name", "via")
        .annotate(n=Count("id")),
        "note_form": NoteForm(),
        "reflection_form": ReflectionForm(),
        "nav": "training",
    }


@require_GET
def shadowing_page(request: HttpRequest, shadowing_id: int) -> HttpResponse:
    shadowing = get_shadowing_for_user(request.user, shadowing_id)
    return render(request, "training/shadowing.html", _shadowing_context(request, shadowing))


def _own(request: HttpRequest, shadowing_id: int) -> Shadowing:
    shadowing = get_shadowing_for_user(request.user, shadowing_id)
    if shadowing.member.user_id != request.user.pk:
        raise ValidationError("Only the member who shadows writes its notes and reflection.")
    return shadowing


def _post_to_own_shadowing(
    request: HttpRequest,
    shadowing_id: int,
    form: forms.Form,
    form_name: str,
    write: Callable[[Shadowing, dict[str, Any]], object],
) -> HttpResponse:
    """The shadowing member's own writes: validate, write, back to the page;
    else the page again with the form's errors (422)."""
    shadowing = get_shadowing_for_user(request.user, shadowing_id)
    try:
        shadowing = _own(request, shadowing_id)
        if form.is_valid():
            write(shadowing, form.cleaned_data)
            return redirect("shadowing", shadowing.pk)
    except ValidationError as error:
        form.add_error(None, error)
    context = _shadowing_context(request, shadowing) | {form_name: form}
    return render(request, "training/shadowing.html", context, status=422)


@require_POST
def shadowing_note_view(request: HttpRequest, shadowing_id: int) -> HttpResponse:
    return _post_to_own_shadowing(
        request,
        shadowing_id,
        NoteForm(request.POST),
        "note_form",
        lambda shadowing, data: add_shadowing_note(shadowing, data["text"]),
    )


@require_POST
def close_shadowing_view(request: HttpRequest, shadowing_id: int) -> HttpResponse:
    return _post_to_own_shadowing(
        request,
        shadowing_id,
        ReflectionForm(request.POST),
        "reflection_form",
        lambda shadowing, data: close_shadowing(shadowing, data["reflection"]),
    )
