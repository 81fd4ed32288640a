"""Read-only access that a running shadowing grants, with its audit trail.

onethread.journeys.access calls `followed_journey` only when its own rules say
no, and only from reading views: writes never look here, so a shadowing never
lets anyone change a journey."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from onethread.journeys.models import Journey
from onethread.team.models import Member
from onethread.training.models import ShadowedJourney, Shadowing
from onethread.training.services import record_shadow_read


def running_shadowings(member: Member, today: dt.date) -> QuerySet[Shadowing]:
    return Shadowing.objects.filter(
        member=member, closed_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    )


def followed_journey(
    member: Member | None,
    *,
    today: dt.date,
    via: str,
    journey_id: int | None = None,
    account_id: int | None = None,
) -> Journey | None:
    """The journey (by id, or the account's latest) the member follows in a
    shadowing running today, its read recorded; None when there is none."""
    if member is None or (journey_id is None) == (account_id is None):
        return None
    running = running_shadowings(member, today)
    follows = ShadowedJourney.objects.filter(journey=OuterRef("pk"), shadowing__in=running)
    where = Q(pk=journey_id) if journey_id is not None else Q(account_id=account_id)
    journey = (
        Journey.objects.filter(where, Exists(follows))
        .select_related("account", "stage", "team", "owner__user", "owner__team")
        .order_by("-opened_at", "-id")
        .first()
    )
    if journey is None:
        return None
    shadowing = running.filter(followed__journey=journey).order_by("-starts_on", "-id").first()
    if shadowing is not None:
        record_shadow_read(shadowing, journey, via=via)
    return journey
