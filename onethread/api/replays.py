"""/replays: the replay library (a journey told from its log, with where
context was lost), and the replays assigned to you."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.pagination import Key, Page, paginate
from onethread.api.playbooks import curator
from onethread.api.schemas import IdPath, PageOut, PageQuery
from onethread.api.schemas import error_responses as errors
from onethread.api.training_schemas import (
    AssignIn,
    AssignmentOut,
    ReflectionIn,
    ReplayDetailOut,
    ReplayIn,
    ReplayOut,
)
from onethread.journeys.access import get_journey_for_user, viewer_for
from onethread.team.models import Member, Team
from onethread.training.access import get_assignment_for_user, get_replay_for_user, visible_replays
from onethread.training.models import ReplayAssignment, SavedReplay
from onethread.training.queries import replay_of
from onethread.training.replays import Replay
from onethread.training.services import (
    assign_replay,
    mark_replay_read,
    reflect_on_replay,
    save_replay,
)

router = Router(tags=["replays"])

NEWEST_FIRST = [Key("created_at", descending=True, kind=dt.datetime), Key("id", descending=True)]
ASSIGNED_ORDER = [Key("assigned_at", descending=True, kind=dt.datetime), Key("id", descending=True)]


def story(replay: Replay) -> dict[str, Any]:
    return {
        "people": replay.people,
        "chapters": [
            {
                "stage": chapter.stage.key,
                "stage_name": chapter.stage.name,
                "entered_at": chapter.entered_at,
                "left_at": chapter.left_at,
                "people": chapter.people,
                "needs": [need.statement for need in chapter.needs],
                "promises": chapter.promises,
                "next": chapter.next,
            }
            for chapter in replay.chapters
        ],
        "moments": [
            {
                "kind": m.kind,
                "label": m.label,
                "event_id": m.event_id,
                "event_kind": m.event_kind,
                "at": m.at,
                "stage": m.stage_key,
                "text": m.text,
            }
            for m in replay.moments
        ],
        "outcome": (
            {
                "stage": replay.outcome.stage.key,
                "at": replay.outcome.at,
                "reason": replay.outcome.reason,
                "event_id": replay.outcome.event_id,
            }
            if replay.outcome
            else None
        ),
    }


def _detail(saved: SavedReplay) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "journey_id": saved.journey_id,
        "title": saved.title,
        "tags": saved.tags,
        "lesson": saved.lesson,
        "created_at": saved.created_at,
        "story": story(replay_of(saved.journey, now=timezone.now())),
    }


@router.get("/replays", response={200: PageOut[ReplayOut], **errors(401, 422)})
def list_replays(request: HttpRequest, query: Query[PageQuery]) -> Page[SavedReplay]:
    """The library: replays of journeys you may see, and those assigned to you."""
    replays = visible_replays(api_user(request))
    return paginate(replays, NEWEST_FIRST, limit=query.limit, cursor=query.after)


@router.post("/replays", response={201: ReplayOut, **errors(400, 401, 403, 404, 422)})
def create_replay(request: HttpRequest, data: ReplayIn) -> Status[SavedReplay]:
    """Keep a journey's replay in the library (managers and admins)."""
    user = api_user(request)
    by = curator(user)
    journey = get_journey_for_user(user, data.journey_id)
    saved = save_replay(journey, title=data.title, lesson=data.lesson, tags=data.tags, by=by)
    return Status(201, saved)


@router.get("/replays/{replay_id}", response={200: ReplayDetailOut, **errors(401, 404, 422)})
def get_replay(request: HttpRequest, replay_id: IdPath) -> dict[str, Any]:
    """The replay, told from the journey's event log as it is now."""
    return _detail(get_replay_for_user(api_user(request), replay_id))


@router.post(
    "/replays/{replay_id}/assignments",
    response={201: list[AssignmentOut], **errors(400, 401, 403, 404, 422)},
)
def assign(request: HttpRequest, replay_id: IdPath, data: AssignIn) -> Status[list[Any]]:
    """Ask members, and every member of teams, to read it; returns the new assignments."""
    user = api_user(request)
    by = curator(user)
    saved = get_replay_for_user(user, replay_id)
    members = list(Member.objects.filter(pk__in=data.member_ids))
    teams = list(Team.objects.filter(pk__in=data.team_ids))
    if len(members) < len(set(data.member_ids)) or len(teams) < len(set(data.team_ids)):
        raise ValidationError("Some of those members or teams do not exist.")
    return Status(201, assign_replay(saved, members=members, teams=teams, by=by))


@router.get("/replay-assignments", response={200: PageOut[AssignmentOut], **errors(401, 422)})
def my_assignments(request: HttpRequest, query: Query[PageQuery]) -> Page[ReplayAssignment]:
    """The replays you are asked to read, newest first."""
    member = viewer_for(api_user(request)).member
    assigned = ReplayAssignment.objects.filter(member=member)
    return paginate(assigned, ASSIGNED_ORDER, limit=query.limit, cursor=query.after)


@router.post(
    "/replay-assignments/{assignment_id}/read",
    response={200: AssignmentOut, **errors(401, 404, 422)},
)
def read_assignment(request: HttpRequest, assignment_id: IdPath) -> ReplayAssignment:
    return mark_replay_read(get_assignment_for_user(api_user(request), assignment_id))


@router.post(
    "/replay-assignments/{assignment_id}/reflection",
    response={200: AssignmentOut, **errors(400, 401, 404, 422)},
)
def reflect(request: HttpRequest, assignment_id: IdPath, data: ReflectionIn) -> ReplayAssignment:
    """Write (or rewrite) your reflection; it also marks the replay read."""
    assignment = get_assignment_for_user(api_user(request), assignment_id)
    return reflect_on_replay(assignment, data.reflection)
