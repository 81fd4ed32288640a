"""The signals pages: the member's inbox, acting on or dismissing a signal
(htmx swaps the signal in place; without it, a redirect), and the
usefulness of each detector."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onethread.journeys.access import NotPermitted, viewer_for
from onethread.journeys.thread import attach_errors
from onethread.signals import queries
from onethread.signals import usefulness as measures
from onethread.signals.access import check_can_settle, get_signal_for_user
from onethread.signals.forms import ActForm, DismissForm
from onethread.signals.models import DismissReason, Signal
from onethread.signals.services import act_on_signal, dismiss_signal


def _shows_failures(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_staff", False)) or viewer_for(request.user).sees_all


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    signals = queries.inbox(request.user)
    context = {
        "signals": signals,
        "limited": len(signals) >= queries.INBOX_LIMIT,
        "limit": queries.INBOX_LIMIT,
        "failures": queries.latest_failures() if _shows_failures(request) else [],
        "dismiss_reasons": DismissReason.choices,
        "nav": "signals",
    }
    return render(request, "signals/inbox.html", context)


def _answer(
    request: HttpRequest,
    signal: Signal,
    form: forms.Form,
    write: Callable[[], Signal],
) -> HttpResponse:
    """Validate, write, and answer with the signal's fragment (or a redirect)."""
    error = ""
    status = 422
    if form.is_valid():
        try:
            check_can_settle(request.user, signal)
            signal = write()
        except ValidationError as validation_error:
            attach_errors(form, validation_error)
        except NotPermitted as refusal:
            error, status = str(refusal), 403
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect("signals")
            status = 200
            form = forms.Form()
    context = {
        "signal": signal,
        "form": form,
        "error": error,
        "dismiss_reasons": DismissReason.choices,
    }
    return render(request, "signals/inbox.html#signal", context, status=status)


@require_POST
def act(request: HttpRequest, signal_id: int) -> HttpResponse:
    signal = get_signal_for_user(request.user, signal_id)
    form = ActForm(request.POST)

    def write() -> Signal:
        data = form.cleaned_data
        return act_on_signal(
            signal,
            by=request.user,  # type: ignore[arg-type]
            deal_name=data["deal_name"] or "",
            amount=data["amount"],
            task=data["task"] or "",
            due_on=data["due_on"],
        )

    return _answer(request, signal, form, write)


@require_POST
def dismiss(request: HttpRequest, signal_id: int) -> HttpResponse:
    signal = get_signal_for_user(request.user, signal_id)
    form = DismissForm(request.POST)

    def write() -> Signal:
        data = form.cleaned_data
        return dismiss_signal(
            signal,
            data["reason"],
            by=request.user,  # type: ignore[arg-type]
            note=data["note"] or "",
        )

    return _answer(request, signal, form, write)


@require_GET
def usefulness(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "rows": measures.usefulness(measures.read_outcomes()),
        "now": now,
        "nav": "signals",
    }
    return render(request, "signals/usefulness.html", context)
