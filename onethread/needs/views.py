from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from onethread.journeys.access import get_journey_for_user
from onethread.journeys.thread import answer_thread_form
from onethread.needs.access import get_need_for_user
from onethread.needs.forms import CaptureNeedForm, ChangeNeedForm
from onethread.needs.services import PossibleRepeat, capture_need, change_need


@require_POST
def capture(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_journey_for_user(request.user, journey_id)
    form = CaptureNeedForm(request.POST)

    def write() -> object:
        try:
            return capture_need(
                journey,
                form.cleaned_data["statement"],
                by=request.user,  # type: ignore[arg-type]
                category=form.cleaned_data["category"],
                priority=form.cleaned_data["priority"],
                repeat=form.cleaned_data["repeat"] or None,
            )
        except PossibleRepeat as repeat:
            form.repeat_matches = repeat.matches  # shown first, with the choice to make
            raise

    return answer_thread_form(request, journey, form, "need", write)


@require_POST
def change(request: HttpRequest, need_id: int) -> HttpResponse:
    need = get_need_for_user(request.user, need_id)
    form = ChangeNeedForm(request.POST)
    return answer_thread_form(
        request,
        need.journey,
        form,
        "need_change",
        lambda: change_need(
            need,
            by=request.user,  # type: ignore[arg-type]
            expected_version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            product=form.cleaned_data["product"],
        ),
    )
