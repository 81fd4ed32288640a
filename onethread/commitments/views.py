from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from onethread.commitments.access import get_commitment_for_user
from onethread.commitments.forms import (
    MakeCommitmentForm,
    RenegotiateCommitmentForm,
    SettleCommitmentForm,
)
from onethread.commitments.services import (
    make_commitment,
    renegotiate_commitment,
    settle_commitment,
)
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.thread import answer_thread_form


@require_POST
def make(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_journey_for_user(request.user, journey_id)
    form = MakeCommitmentForm(request.POST)
    return answer_thread_form(
        request,
        journey,
        form,
        "commitment",
        lambda: make_commitment(
            journey,
            form.cleaned_data["promise"],
            by=request.user,  # type: ignore[arg-type]
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        ),
    )


@require_POST
def settle(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, commitment_id)
    form = SettleCommitmentForm(request.POST)
    return answer_thread_form(
        request,
        commitment.journey,
        form,
        "commitment_settle",
        lambda: settle_commitment(
            commitment,
            form.cleaned_data["status"],
            by=request.user,  # type: ignore[arg-type]
            expected_version=form.cleaned_data["version"],
        ),
    )


@require_POST
def renegotiate(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, commitment_id)
    form = RenegotiateCommitmentForm(request.POST)
    return answer_thread_form(
        request,
        commitment.journey,
        form,
        "commitment_renegotiate",
        lambda: renegotiate_commitment(
            commitment,
            by=request.user,  # type: ignore[arg-type]
            expected_version=form.cleaned_data["version"],
            due_on=form.cleaned_data["due_on"],
            note=form.cleaned_data["note"],
        ),
    )
