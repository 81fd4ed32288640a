"""Rendering the account thread, and answering the forms posted from it.

Every form on the page posts to its own small view, which calls one service
and answers through `answer_thread_form`: with htmx, the refreshed thread (or
the form with its errors) replaces the page's #thread in place; without it,
a redirect on success, the page with errors otherwise."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from onethread.commitments.forms import MakeCommitmentForm
from onethread.commitments.models import Commitment
from onethread.customers.forms import AddContactForm
from onethread.handoffs.contracts import facts_from
from onethread.handoffs.forms import SendHandoffForm
from onethread.handoffs.panel import handoff_panel
from onethread.interactions.forms import LogInteractionForm
from onethread.journeys.access import NotPermitted, can_move_stage, get_journey_for_user
from onethread.journeys.editing import EditConflict
from onethread.journeys.forms import NoteForm, StageMoveForm
from onethread.journeys.models import EventKind, Journey
from onethread.journeys.queries import CONTACTS_SHOWN, TimelineFilters, account_thread
from onethread.needs.forms import CaptureNeedForm
from onethread.needs.models import Need


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's validation errors on the form fields they name."""
    if hasattr(error, "error_dict"):
        # The errors themselves, not their messages, so their codes survive.
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def empty_forms(journey: Journey, stages: list[Any]) -> dict[str, forms.Form]:
    return {
        "interaction": LogInteractionForm(account_id=journey.account_id),
        "need": CaptureNeedForm(),
        "commitment": MakeCommitmentForm(),
        "stage": StageMoveForm(journey=journey, stages=stages),
        "note": NoteForm(),
        "contact": AddContactForm(),
    }


def render_thread(
    request: HttpRequest,
    journey: Journey,
    *,
    bound_forms: dict[str, forms.Form] | None = None,
    open_form: str | None = None,
    error: str | None = None,
    status: int = 200,
    timeline_filters: TimelineFilters | None = None,
    shadow_read: bool = False,
    journeys: list[Journey] | None = None,
) -> HttpResponse:
    """`journeys`: the account's journeys the user sees, when the caller has read them."""
    thread = account_thread(
        request.user, journey, timeline_filters or TimelineFilters(), journeys=journeys
    )
    data = thread.reference
    assert data is not None
    page_forms = empty_forms(journey, thread.stages) | (bound_forms or {})
    posted_handoff = (bound_forms or {}).get("handoff")
    now = timezone.now()
    context = {
        "thread": thread,
        "journey": journey,
        "account": thread.account,
        "forms": page_forms,
        "open_form": open_form,
        "thread_error": error,
        "can_move_stage": can_move_stage(request.user, journey),
        "handoffs": handoff_panel(
            request.user,
            journey,
            posted_handoff if isinstance(posted_handoff, SendHandoffForm) else None,
            facts=facts_from(
                thread.needs, thread.commitments, thread.contacts, getattr(request.user, "pk", None)
            )
            if len(thread.contacts) < CONTACTS_SHOWN
            else None,
            reference=data,
        ),
        "now": now,
        "today": timezone.localdate(now),
        "stage_names": {stage.key: stage.name for stage in thread.stages},
        "event_kinds": EventKind.choices,
        "timeline_filters": timeline_filters or TimelineFilters(),
        "category_choices": data.categories,
        "product_choices": data.products,
        "member_choices": data.member_choices,
        "stage_key_choices": [(stage.key, stage.name) for stage in thread.stages],
        "need_status_choices": Need.Status.choices,
        "settle_choices": [(Commitment.Status.KEPT, "Kept"), (Commitment.Status.BROKEN, "Broken")],
        "nav": "board",
        "shadow_read": shadow_read,
    }
    return render(request, "journeys/account.html", context, status=status)


def run_write(form: forms.Form, write: Callable[[], object]) -> tuple[bool, str | None, int]:
    """Validate the form and run the write: (done, message for the page, status).
    A refusal the form can show lands on its fields; a conflict or a refusal of
    rights comes back as a message with 409 or 403."""
    if not form.is_valid():
        return False, None, 422
    try:
        write()
    except ValidationError as validation_error:
        attach_errors(form, validation_error)
        return False, None, 422
    except EditConflict as conflict:
        return False, str(conflict), 409
    except NotPermitted as refusal:
        return False, str(refusal), 403
    return True, None, 200


def answer_thread_form(
    request: HttpRequest,
    journey: Journey,
    form: forms.Form,
    form_name: str,
    write: Callable[[], object],
) -> HttpResponse:
    """Validate the form, run the write, and answer with the thread."""
    done, error, status = run_write(form, write)
    if done:
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("account-thread", journey.account_id)
        fresh = get_journey_for_user(request.user, journey.pk)
        return render_thread(request, fresh)
    fresh = get_journey_for_user(request.user, journey.pk)
    bound = {form_name: form} if form_name else {}
    return render_thread(
        request, fresh, bound_forms=bound, open_form=form_name, error=error, status=status
    )
