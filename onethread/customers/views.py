from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from onethread.customers.forms import AddContactForm
from onethread.customers.services import add_contact
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.thread import answer_thread_form


@require_POST
def add(request: HttpRequest, journey_id: int) -> HttpResponse:
    """Add a contact to the account of a journey the user can see."""
    journey = get_journey_for_user(request.user, journey_id)
    form = AddContactForm(request.POST)
    return answer_thread_form(
        request,
        journey,
        form,
        "contact",
        lambda: add_contact(
            journey.account,
            form.cleaned_data["name"],
            by=request.user,  # type: ignore[arg-type]
            email=form.cleaned_data["email"],
            title=form.cleaned_data["title"],
            buying_role=form.cleaned_data["buying_role"],
        ),
    )
