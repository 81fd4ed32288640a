"""Stage playbooks: managers edit them; on the account page, whoever works the
journey ticks its current stage's steps."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onethread.handoffs.models import ContractItem
from onethread.journeys.access import get_journey_for_user
from onethread.journeys.models import Stage
from onethread.journeys.thread import render_thread
from onethread.training.access import curator_of, is_curator
from onethread.training.forms import PlaybookForm, PlaybookItemForm
from onethread.training.models import Playbook, PlaybookItem
from onethread.training.services import (
    add_playbook_item,
    complete_playbook_step,
    remove_playbook_item,
    update_playbook,
)


@require_GET
def playbooks_page(request: HttpRequest) -> HttpResponse:
    stages = Stage.objects.filter(kind=Stage.Kind.ACTIVE)
    playbooks = {p.stage_id: p for p in Playbook.objects.prefetch_related("items")}
    rows = [(stage, playbooks.get(stage.pk)) for stage in stages]
    context = {"rows": rows, "curator": is_curator(request.user), "nav": "training"}
    return render(request, "training/playbooks.html", context)


def _stage(stage_key: str) -> Stage:
    return get_object_or_404(Stage, key=stage_key, kind=Stage.Kind.ACTIVE)


def _contract_items(stage: Stage) -> list[ContractItem]:
    return list(
        ContractItem.objects.filter(transition__from_stage=stage).select_related(
            "transition__to_stage"
        )
    )


def _edit_context(request: HttpRequest, stage: Stage, **forms: object) -> dict[str, object]:
    playbook = Playbook.objects.filter(stage=stage).first()
    items = _contract_items(stage)
    return {
        "stage": stage,
        "playbook": playbook,
        "items": playbook.items.select_related("contract_item") if playbook else [],
        "curator": is_curator(request.user),
        "form": forms.get("form")
        or PlaybookForm(
            initial={
                "good_looks_like": playbook.good_looks_like if playbook else "",
                "next_stage_needs": playbook.next_stage_needs if playbook else "",
            }
        ),
        "item_form": forms.get("item_form") or PlaybookItemForm(contract_items=items),
        "nav": "training",
    }


@require_http_methods(["GET", "POST"])
def playbook_page(request: HttpRequest, stage_key: str) -> HttpResponse:
    stage = _stage(stage_key)
    if request.method == "GET":
        return render(request, "training/playbook.html", _edit_context(request, stage))
    curator = curator_of(request.user)
    form = PlaybookForm(request.POST)
    if form.is_valid():
        try:
            update_playbook(stage, by=curator, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The {stage.name} playbook is saved.")
            return redirect("playbook", stage.key)
    context = _edit_context(request, stage, form=form)
    return render(request, "training/playbook.html", context, status=422)


@require_POST
def add_item_view(request: HttpRequest, stage_key: str) -> HttpResponse:
    stage = _stage(stage_key)
    curator = curator_of(request.user)
    form = PlaybookItemForm(request.POST, contract_items=_contract_items(stage))
    if form.is_valid():
        try:
            add_playbook_item(
                stage,
                form.cleaned_data["label"],
                guidance=form.cleaned_data["guidance"],
                contract_item=form.chosen_contract_item(),
                by=curator,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("playbook", stage.key)
    context = _edit_context(request, stage, item_form=form)
    return render(request, "training/playbook.html", context, status=422)


@require_POST
def remove_item_view(request: HttpRequest, item_id: int) -> HttpResponse:
    curator = curator_of(request.user)
    item = get_object_or_404(PlaybookItem.objects.select_related("playbook__stage"), pk=item_id)
    remove_playbook_item(item, by=curator)
    return redirect("playbook", item.playbook.stage.key)


@require_POST
def complete_step_view(request: HttpRequest, journey_id: int, item_id: int) -> HttpResponse:
    """Tick a step on the account page (a plain form post; back to the page)."""
    journey = get_journey_for_user(request.user, journey_id)
    item = get_object_or_404(PlaybookItem.objects.select_related("contract_item"), pk=item_id)
    try:
        complete_playbook_step(
            journey,
            item,
            by=request.user,  # type: ignore[arg-type]
            answer=request.POST.get("answer", ""),
        )
    except ValidationError as error:
        return render_thread(request, journey, error="; ".join(error.messages), status=422)
    return redirect(reverse("account-thread", args=[journey.account_id]) + "#playbook")
