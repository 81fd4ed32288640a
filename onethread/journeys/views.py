from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onethread.journeys.access import (
    check_can_move_stage,
    get_journey_for_user,
    shadowed_journey_for_user,
)
from onethread.journeys.forms import NoteForm, StageMoveForm
from onethread.journeys.models import Stage
from onethread.journeys.queries import (
    BadCursor,
    BoardFilters,
    TimelineFilters,
    account_journeys,
    account_page_journeys,
    board,
    column_cards,
    stages,
    timeline_page,
)
from onethread.journeys.reference import reference
from onethread.journeys.services import add_note, move_stage
from onethread.journeys.thread import answer_thread_form, render_thread

SCOPES = [("all", "All I can see"), ("team", "My team"), ("mine", "Mine")]


def _board_filters(request: HttpRequest) -> BoardFilters:
    source = request.GET.get("source", "*")
    return BoardFilters.from_params(request.GET.get("scope"), None if source == "*" else source)


def _filter_query(filters: BoardFilters) -> str:
    params = {"scope": filters.scope}
    if filters.source is not None:
        params["source"] = filters.source
    return urlencode(params)


@require_GET
def board_page(request: HttpRequest) -> HttpResponse:
    filters = _board_filters(request)
    now = timezone.now()
    context = {
        "board": board(request.user, filters, now=now),
        "filters": filters,
        "filter_query": _filter_query(filters),
        "scopes": SCOPES,
        "now": now,
        "nav": "board",
    }
    return render(request, "journeys/board.html", context)


@require_GET
def board_column(request: HttpRequest, stage_key: str) -> HttpResponse:
    """The next page of one stage's cards (htmx appends it to the column)."""
    stage = get_object_or_404(Stage, key=stage_key, kind=Stage.Kind.ACTIVE)
    filters = _board_filters(request)
    now = timezone.now()
    try:
        cards, next_cursor = column_cards(
            request.user,
            stage,
            filters,
            now=now,
            after=request.GET.get("after"),
        )
    except BadCursor as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    context = {
        "cards": cards,
        "next_cursor": next_cursor,
        "stage_key": stage.key,
        "filter_query": _filter_query(filters),
        "now": now,
    }
    return render(request, "journeys/board.html#cards", context)


@require_GET
def account_page(request: HttpRequest, account_id: int) -> HttpResponse:
    shadow_read = False
    journeys = None
    try:
        journey, journeys = account_page_journeys(request.user, account_id)
    except Http404:
        # Read-only, for a member shadowing this journey (audited).
        journey = shadowed_journey_for_user(request.user, via="page", account_id=account_id)
        shadow_read = True
    filters = TimelineFilters.from_params(request.GET.get("kind"), request.GET.get("stage"))
    return render_thread(
        request, journey, timeline_filters=filters, shadow_read=shadow_read, journeys=journeys
    )


@require_GET
def timeline(request: HttpRequest, journey_id: int) -> HttpResponse:
    """A page of the timeline: filtered by kind and stage, or older events."""
    try:
        journey = get_journey_for_user(request.user, journey_id)
    except Http404:
        journey = shadowed_journey_for_user(request.user, via="page", journey_id=journey_id)
    filters = TimelineFilters.from_params(request.GET.get("kind"), request.GET.get("stage"))
    before = request.GET.get("before")
    if before is not None and not before.isdigit():
        raise Http404("No such page of the timeline.")
    data = reference()
    page = timeline_page(
        journey,
        filters,
        before=int(before) if before else None,
        journey_ids=[other.pk for other in account_journeys(request.user, journey.account_id)],
        stage_by_id=data.stage_by_id,
    )
    context = {
        "journey": journey,
        "timeline": page,
        "timeline_filters": filters,
        "stage_names": {stage.key: stage.name for stage in data.stages},
        "append": before is not None,
    }
    return render(request, "journeys/account.html#timeline", context)


@require_POST
def move_stage_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_journey_for_user(request.user, journey_id)
    form = StageMoveForm(request.POST, journey=journey, stages=stages())

    def write() -> object:
        check_can_move_stage(request.user, journey, form.cleaned_data["stage"])
        return move_stage(
            journey,
            form.cleaned_data["stage"],
            by=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )

    return answer_thread_form(request, journey, form, "stage", write)


@require_POST
def add_note_view(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_journey_for_user(request.user, journey_id)
    form = NoteForm(request.POST)
    return answer_thread_form(
        request,
        journey,
        form,
        "note",
        lambda: add_note(
            journey,
            form.cleaned_data["text"],
            by=request.user,  # type: ignore[arg-type]
            question=form.cleaned_data["question"],
        ),
    )
