"""/goals: shared goals of teams and members, and their progress read from
the insights metrics."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from onethread.api.auth import api_user
from onethread.api.goal_schemas import GoalIn, GoalOut, GoalProgressOut
from onethread.api.pagination import Key, Page, paginate
from onethread.api.playbooks import curator
from onethread.api.schemas import IdPath, PageOut, PageQuery
from onethread.api.schemas import error_responses as errors
from onethread.insights.services import last_refreshed
from onethread.team.models import Member, Team
from onethread.training import goals
from onethread.training.access import get_goal_for_user, visible_goals
from onethread.training.models import Goal
from onethread.training.queries import goals_progress
from onethread.training.services import set_goal

router = Router(tags=["goals"])

NEWEST_FIRST = [Key("id", descending=True)]


def _out(goal: Goal) -> dict[str, Any]:
    measure = goals.BY_KEY.get(goal.measure)
    return {
        "id": goal.pk,
        "team_id": goal.team_id,
        "member_id": goal.member_id,
        "measure": goal.measure,
        "label": measure.label if measure else goal.measure,
        "kind": measure.kind if measure else "",
        "unit": measure.unit if measure else "",
        "target": float(goal.target),
        "starts_on": goal.starts_on,
        "ends_on": goal.ends_on,
        "set_by_id": goal.set_by_id,
    }


@router.get("/goals", response={200: PageOut[GoalOut], **errors(401, 422)})
def list_goals(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Your team's goals and your own; a manager's team's; all for admins."""
    page: Page[Goal] = paginate(
        visible_goals(api_user(request)), NEWEST_FIRST, limit=query.limit, cursor=query.after
    )
    return {"items": [_out(goal) for goal in page.items], "next": page.next}


@router.post("/goals", response={201: GoalOut, **errors(400, 401, 403, 422)})
def create_goal(request: HttpRequest, data: GoalIn) -> Status[dict[str, Any]]:
    """Set a goal (managers for their own team, admins for any)."""
    by = curator(api_user(request))
    team: Team | None = by.team
    if data.team_id is not None:
        team = Team.objects.filter(pk=data.team_id).first()
        if team is None:
            raise ValidationError({"team_id": "No such team."})
    member = None
    if data.member_id is not None:
        member = Member.objects.filter(pk=data.member_id).first()
        if member is None:
            raise ValidationError({"member_id": "No such member."})
    assert team is not None
    goal = set_goal(
        team=team,
        member=member,
        measure=data.measure,
        target=Decimal(str(data.target)),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        by=by,
    )
    return Status(201, _out(goal))


@router.get("/goals/{goal_id}/progress", response={200: GoalProgressOut, **errors(401, 404, 422)})
def goal_progress(request: HttpRequest, goal_id: IdPath) -> dict[str, Any]:
    """Its value now, from the same metric as the insights pages."""
    goal = get_goal_for_user(api_user(request), goal_id)
    shown = goals_progress([goal], now=timezone.now())
    if not shown:
        raise ValidationError("This goal's measure is no longer known.")
    [row] = shown
    return {
        "goal_id": goal.pk,
        "measure": goal.measure,
        "unit": row.measure.unit,
        "value": row.progress.value,
        "target": row.progress.target,
        "share": row.progress.share,
        "met": row.progress.met,
        "period_start": row.period.start,
        "period_end": row.period.end,
        "refreshed_at": last_refreshed(),
    }
