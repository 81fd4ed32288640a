from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from onethread.interactions.forms import LogInteractionForm
from onethread.interactions.services import log_interaction
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.thread import answer_thread_form


@require_POST
def log(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_journey_for_user(request.user, journey_id)
    form = LogInteractionForm(request.POST, account_id=journey.account_id)
    return answer_thread_form(
        request,
        journey,
        form,
        "interaction",
        lambda: log_interaction(
            journey,
            channel=form.cleaned_data["channel"],
            direction=form.cleaned_data["direction"],
            summary=form.cleaned_data["summary"],
            contacts=list(form.cleaned_data["contacts"]),
            occurred_at=form.cleaned_data["occurred_at"],
            by=request.user,  # type: ignore[arg-type]
        ),
    )
