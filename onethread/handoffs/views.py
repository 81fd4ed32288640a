from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onethread.handoffs import queries
from onethread.handoffs.access import can_answer, get_handoff_for_user

BOXES = [("received", "For me"), ("sent", "Sent by me"), ("team", "My team")]


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "received")
    if box not in dict(BOXES):
        box = "received"
    context = {
        "handoffs": queries.inbox(request.user, box),
        "box": box,
        "boxes": BOXES,
        "now": timezone.now(),
        "nav": "handoffs",
    }
    return render(request, "handoffs/inbox.html", context)


@require_GET
def detail(request: HttpRequest, handoff_id: int) -> HttpResponse:
    handoff = get_handoff_for_user(request.user, handoff_id)
    context = {
        "handoff": handoff,
        "brief": handoff.brief,
        "can_answer": handoff.is_pending and can_answer(request.user, handoff),
        "now": timezone.now(),
        "nav": "handoffs",
    }
    return render(request, "handoffs/handoff.html", context)
