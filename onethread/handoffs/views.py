"""The handoff pages: the inbox, the handoff with its frozen brief (accept or
return it there), and sending one from the account page. Each write calls one
service; with htmx the answer replaces the page's content in place, without it
a redirect on success and the page with its errors otherwise."""

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onethread.handoffs import queries
from onethread.handoffs.access import can_answer, get_handoff_for_user
from onethread.handoffs.forms import AcceptHandoffForm, ReturnHandoffForm, SendHandoffForm
from onethread.handoffs.models import Handoff, ReturnReason
from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.journeys.access import get_journey_for_user, viewer_for
from onethread.journeys.thread import answer_thread_form, run_write

BOXES = [("received", "For me"), ("sent", "Sent by me"), ("team", "My team")]


def boxes_for(request: HttpRequest) -> list[tuple[str, str]]:
    """Every member has the first two tabs; managers and admins see their team's too."""
    viewer = viewer_for(request.user)
    leads = viewer.member is not None and (viewer.member.is_manager or viewer.sees_all)
    return BOXES if leads else BOXES[:2]


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    boxes = boxes_for(request)
    box = request.GET.get("box", "received")
    if box not in dict(boxes):
        box = "received"
    handoffs = queries.inbox(request.user, box)
    context = {
        "handoffs": handoffs,
        "box": box,
        "box_label": dict(boxes)[box],
        "boxes": boxes,
        "limited": len(handoffs) >= queries.INBOX_LIMIT,
        "limit": queries.INBOX_LIMIT,
        "now": timezone.now(),
        "nav": "handoffs",
    }
    return render(request, "handoffs/inbox.html", context)


def item_labels(handoff: Handoff) -> list[str]:
    return [str(item["label"]) for item in handoff.contract]


def render_handoff(
    request: HttpRequest,
    handoff_id: int,
    *,
    bound_forms: dict[str, forms.Form] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    handoff = get_handoff_for_user(request.user, handoff_id)
    answerable = handoff.is_pending and can_answer(request.user, handoff)
    labels = item_labels(handoff)
    page_forms: dict[str, forms.Form] = {
        "accept": AcceptHandoffForm(item_labels=labels, initial={"version": handoff.version}),
        "return": ReturnHandoffForm(initial={"version": handoff.version}),
    } | (bound_forms or {})
    context = {
        "handoff": handoff,
        "brief": handoff.brief,
        "can_answer": answerable,
        "forms": page_forms,
        "return_reasons": list(ReturnReason.objects.filter(is_active=True)) if answerable else [],
        "page_error": error,
        "now": timezone.now(),
        "nav": "handoffs",
    }
    return render(request, "handoffs/handoff.html", context, status=status)


@require_GET
def detail(request: HttpRequest, handoff_id: int) -> HttpResponse:
    return render_handoff(request, handoff_id)


def answer_handoff_form(
    request: HttpRequest,
    handoff: Handoff,
    form: forms.Form,
    form_name: str,
    write: Callable[[], object],
) -> HttpResponse:
    """Validate the form, run the write, and answer with the handoff page."""
    done, error, status = run_write(form, write)
    if done:
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("handoff", handoff.pk)
        return render_handoff(request, handoff.pk)
    return render_handoff(
        request, handoff.pk, bound_forms={form_name: form}, error=error, status=status
    )


@require_POST
def accept(request: HttpRequest, handoff_id: int) -> HttpResponse:
    handoff = get_handoff_for_user(request.user, handoff_id)
    form = AcceptHandoffForm(request.POST, item_labels=item_labels(handoff))
    return answer_handoff_form(
        request,
        handoff,
        form,
        "accept",
        lambda: accept_handoff(
            handoff,
            by=request.user,  # type: ignore[arg-type]
            rating=form.cleaned_data["rating"],
            missing=form.missing_items(),
            expected_version=form.cleaned_data["version"],
        ),
    )


@require_POST
def return_view(request: HttpRequest, handoff_id: int) -> HttpResponse:
    handoff = get_handoff_for_user(request.user, handoff_id)
    form = ReturnHandoffForm(request.POST)
    return answer_handoff_form(
        request,
        handoff,
        form,
        "return",
        lambda: return_handoff(
            handoff,
            by=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
    )


@require_POST
def send(request: HttpRequest, journey_id: int) -> HttpResponse:
    """Send the journey to the next stage, from the account page."""
    journey = get_journey_for_user(request.user, journey_id)
    form = SendHandoffForm(request.POST)
    response = answer_thread_form(
        request,
        journey,
        form,
        "handoff",
        lambda: send_handoff(
            journey,
            by=request.user,  # type: ignore[arg-type]
            to_stage=form.cleaned_data["to_stage"],
            to_member=form.cleaned_data["to_member"],
            answers=form.answers(),
            note=form.cleaned_data["note"],
            open_questions=form.cleaned_data["open_questions"],
            override_reason=form.cleaned_data["override_reason"],
        ),
    )
    if request.htmx and response.status_code == 200:  # type: ignore[attr-defined]
        # Sent: up to the banner saying to whom and until when.
        response["HX-Reswap"] = "outerHTML show:window:top"
    return response
