"""Who gets new work when nobody is named: a per-team rule, round robin or
least busy, among the available members of the role that works the stage."""

from collections.abc import Collection, Mapping, Sequence

from django.db import transaction
from django.db.models import Count, Q

from onethread.team.models import Member, RoutingCursor, Team


def next_in_turn(candidate_ids: Sequence[int], last_id: int | None) -> int:
    """Round robin: the first candidate after the last one served, wrapping."""
    ordered = sorted(candidate_ids)
    if last_id is not None:
        for candidate in ordered:
            if candidate > last_id:
                return candidate
    return ordered[0]


def least_busy(loads: Mapping[int, int]) -> int:
    """The candidate with the least open work; ties go to the lowest id."""
    return min(loads, key=lambda candidate: (loads[candidate], candidate))


def candidates(team: Team, role: str, exclude: Collection[int] = ()) -> list[Member]:
    return list(
        Member.objects.filter(team=team, role=role, is_available=True, user__is_active=True)
        .exclude(pk__in=exclude)
        .select_related("user", "team")
        .order_by("pk")
    )


def open_work(member_ids: Collection[int]) -> dict[int, int]:
    """Open journeys owned plus handoffs waiting for each member."""
    rows = Member.objects.filter(pk__in=member_ids).annotate(
        journeys=Count(
            "owned_journeys", filter=Q(owned_journeys__closed_at__isnull=True), distinct=True
        ),
        waiting=Count(
            "handoffs_received", filter=Q(handoffs_received__status="pending"), distinct=True
        ),
    )
    return {row.pk: row.journeys + row.waiting for row in rows}


@transaction.atomic
def route(team: Team, role: str, *, exclude: Collection[int] = ()) -> Member | None:
    """Pick the member of `team` with `role` who gets the next piece of work,
    skipping unavailable members and those in `exclude`; None when nobody can."""
    pool = candidates(team, role, exclude)
    if not pool:
        return None
    by_id = {member.pk: member for member in pool}
    if team.routing == Team.Routing.LEAST_BUSY:
        return by_id[least_busy(open_work(by_id))]
    cursor, _ = RoutingCursor.objects.select_for_update().get_or_create(team=team, role=role)
    chosen = next_in_turn(list(by_id), cursor.last_member_id)
    cursor.last_member_id = chosen
    cursor.save(update_fields=["last_member"])
    return by_id[chosen]
