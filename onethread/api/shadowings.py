"""/shadowings: cross-training assignments (a member follows another stage's
journeys for a period), their notes and their closing reflection."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.playbooks import curator
from onethread.api.schemas import IdPath, PageOut, PageQuery
from onethread.api.schemas import error_responses as errors
from onethread.api.training_schemas import (
    CloseShadowingIn,
    ShadowingIn,
    ShadowingNoteIn,
    ShadowingOut,
)
from onethread.journeys.access import NotPermitted, visible_journeys
from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member
from onethread.training.access import get_shadowing_for_user, visible_shadowings
from onethread.training.models import Shadowing
from onethread.training.services import add_shadowing_note, assign_shadowing, close_shadowing

router = Router(tags=["shadowings"])

NEWEST_FIRST = [Key("id", descending=True)]


def _out(shadowing: Shadowing) -> dict[str, Any]:
    return {
        "id": shadowing.pk,
        "member_id": shadowing.member_id,
        "stage": shadowing.stage.key,
        "starts_on": shadowing.starts_on,
        "ends_on": shadowing.ends_on,
        "journey_ids": [follow.journey_id for follow in shadowing.followed.all()],
        "notes": list(shadowing.notes.all()),
        "reflection": shadowing.reflection,
        "closed_at": shadowing.closed_at,
    }


@router.get("/shadowings", response={200: PageOut[ShadowingOut], **errors(401, 422)})
def list_shadowings(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Yours; a manager's team's; all of them for admins."""
    shadowings = visible_shadowings(api_user(request)).select_related("stage")
    page: Page[Shadowing] = paginate(
        shadowings.prefetch_related("followed", "notes"),
        NEWEST_FIRST,
        limit=query.limit,
        cursor=query.after,
    )
    return {"items": [_out(shadowing) for shadowing in page.items], "next": page.next}


@router.post("/shadowings", response={201: ShadowingOut, **errors(400, 401, 403, 422)})
def create_shadowing(request: HttpRequest, data: ShadowingIn) -> Status[dict[str, Any]]:
    """Assign a shadowing (managers and admins) of journeys you may see."""
    user = api_user(request)
    by = curator(user)
    member = Member.objects.filter(pk=data.member_id).first()
    stage = Stage.objects.filter(key=data.stage).first()
    journeys = list(visible_journeys(user).filter(pk__in=data.journey_ids))
    if member is None:
        raise ValidationError({"member_id": "No such member."})
    if stage is None:
        raise ValidationError({"stage": "No such stage."})
    if len(journeys) < len(set(data.journey_ids)):
        raise ValidationError({"journey_ids": "Some of those journeys are not yours to assign."})
    shadowing = assign_shadowing(
        member, stage, starts_on=data.starts_on, ends_on=data.ends_on, journeys=journeys, by=by
    )
    return Status(201, _out(shadowing))


def _own(request: HttpRequest, shadowing_id: int) -> Shadowing:
    shadowing = get_shadowing_for_user(api_user(request), shadowing_id)
    if shadowing.member.user_id != api_user(request).pk:
        raise NotPermitted("Only the member who shadows writes its notes and reflection.")
    return shadowing


@router.post(
    "/shadowings/{shadowing_id}/notes",
    response={201: ShadowingOut, **errors(400, 401, 403, 404, 422)},
)
def add_note(
    request: HttpRequest, shadowing_id: IdPath, data: ShadowingNoteIn
) -> Status[dict[str, Any]]:
    shadowing = _own(request, shadowing_id)
    journey = Journey.objects.filter(pk=data.journey_id).first() if data.journey_id else None
    if data.journey_id and journey is None:
        raise ValidationError({"journey_id": "That journey is not one this shadowing follows."})
    add_shadowing_note(shadowing, data.text, journey=journey)
    return Status(201, _out(shadowing))


@router.post(
    "/shadowings/{shadowing_id}/close",
    response={200: ShadowingOut, **errors(400, 401, 403, 404, 422)},
)
def close(request: HttpRequest, shadowing_id: IdPath, data: CloseShadowingIn) -> dict[str, Any]:
    """Close it with your reflection."""
    shadowing = close_shadowing(_own(request, shadowing_id), data.reflection)
    return _out(shadowing)
