"""Reads for the handoff inbox and the handoff page."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from onethread.handoffs.access import visible_handoffs
from onethread.handoffs.models import Handoff
from onethread.journeys.access import viewer_for

INBOX_LIMIT = 100


def _listed(handoffs: QuerySet[Handoff]) -> QuerySet[Handoff]:
    return handoffs.select_related(
        "journey__account",
        "from_member__user",
        "to_member__user",
        "from_stage",
        "to_stage",
        "return_reason",
    )


def inbox(user: User | AnonymousUser, box: str) -> list[Handoff]:
    """received: waiting for me; sent: mine waiting or answered lately;
    team: my team's waiting handoffs (for managers)."""
    member = viewer_for(user).member
    if member is None:
        return []
    handoffs = visible_handoffs(user)
    if box == "sent":
        chosen = handoffs.filter(from_member=member).order_by("-sent_at")
    elif box == "team":
        chosen = handoffs.filter(
            to_member__team_id=member.team_id, status=Handoff.Status.PENDING
        ).order_by("due_at")
    else:
        chosen = handoffs.filter(to_member=member, status=Handoff.Status.PENDING).order_by("due_at")
    return list(_listed(chosen)[:INBOX_LIMIT])


def waiting_count(user: User | AnonymousUser) -> int:
    member = viewer_for(user).member
    if member is None:
        return 0
    return Handoff.objects.filter(to_member=member, status=Handoff.Status.PENDING).count()
