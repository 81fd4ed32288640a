"""/playbooks: each stage's checklist and guidance; ticking a step on a journey."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.schemas import IdPath
from onethread.api.schemas import error_responses as errors
from onethread.api.training_schemas import (
    PlaybookIn,
    PlaybookOut,
    StageKey,
    StepDoneIn,
    StepDoneOut,
)
from onethread.journeys.access import NotPermitted, get_journey_for_user
from onethread.journeys.models import Stage
from onethread.team.models import Member
from onethread.training.access import curator_of
from onethread.training.models import Playbook, PlaybookCheck, PlaybookItem
from onethread.training.services import complete_playbook_step, update_playbook

router = Router(tags=["playbooks"])


def curator(user: User | AnonymousUser) -> Member:
    """The API's 403 for what only managers and admins may do."""
    try:
        return curator_of(user)
    except PermissionDenied as error:
        raise NotPermitted(str(error)) from error


def _out(stage: Stage, playbook: Playbook | None) -> dict[str, object]:
    return {
        "stage": stage.key,
        "good_looks_like": playbook.good_looks_like if playbook else "",
        "next_stage_needs": playbook.next_stage_needs if playbook else "",
        "steps": list(playbook.items.all()) if playbook else [],
    }


@router.get("/playbooks", response={200: list[PlaybookOut], **errors(401)})
def list_playbooks(request: HttpRequest) -> list[dict[str, object]]:
    """Every active stage's playbook, in the order of the bow tie (empty when none yet)."""
    playbooks = {p.stage_id: p for p in Playbook.objects.prefetch_related("items")}
    return [
        _out(stage, playbooks.get(stage.pk))
        for stage in Stage.objects.filter(kind=Stage.Kind.ACTIVE)
    ]


@router.put(
    "/playbooks/{stage_key}", response={200: PlaybookOut, **errors(400, 401, 403, 404, 422)}
)
def put_playbook(request: HttpRequest, stage_key: StageKey, data: PlaybookIn) -> dict[str, object]:
    """Set a stage's guidance (managers and admins)."""
    by = curator(api_user(request))
    stage = Stage.objects.filter(key=stage_key, kind=Stage.Kind.ACTIVE).first()
    if stage is None:
        raise Http404("No such active stage.")
    playbook = update_playbook(
        stage, good_looks_like=data.good_looks_like, next_stage_needs=data.next_stage_needs, by=by
    )
    return _out(stage, playbook)


@router.post(
    "/journeys/{journey_id}/playbook-steps",
    response={201: StepDoneOut, **errors(400, 401, 404, 422)},
)
def complete_step(
    request: HttpRequest, journey_id: IdPath, data: StepDoneIn
) -> Status[PlaybookCheck]:
    """Mark a step of the journey's current stage done (a journey event)."""
    user = api_user(request)
    journey = get_journey_for_user(user, journey_id)
    item = PlaybookItem.objects.select_related("contract_item", "playbook").filter(pk=data.item_id)
    found = item.first()
    if found is None:
        raise Http404("No such playbook step.")
    return Status(201, complete_playbook_step(journey, found, by=user, answer=data.answer))
