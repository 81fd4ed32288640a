"""Who a signal goes to. Expansion goes to the seller on the account team:
the account manager (CSM) once the customer has bought, the AE before; risk
goes to the journey's current owner, and their team's managers are told.

Read as plain rows (no model objects): raising routes hundreds of thousands
of signals in a first run."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q

from onethread.journeys.models import AccountTeamMember, Journey
from onethread.signals.detectors.base import listed
from onethread.signals.models import EXPANSION_KINDS
from onethread.team.models import Member, Role

BATCH = 5000


@dataclass(frozen=True)
class Person:
    """An active member, as routing and notifying need them."""

    id: int
    user_id: int
    team_id: int
    role: str
    secondary_roles: tuple[str, ...]
    name: str

    def has_role(self, role: str) -> bool:
        return self.role == role or role in self.secondary_roles


@dataclass(frozen=True)
class JourneyFacts:
    id: int
    account_id: int
    account: str
    stage_id: int
    won: bool
    owner: Person | None  # None when there is none or they are inactive


def _person(prefix: str, row: dict[str, Any]) -> Person:
    name = f"{row[prefix + 'user__first_name']} {row[prefix + 'user__last_name']}".strip()
    return Person(
        id=row[prefix + "id"],
        user_id=row[prefix + "user_id"],
        team_id=row[prefix + "team_id"],
        role=row[prefix + "role"],
        secondary_roles=tuple(row[prefix + "secondary_roles"] or ()),
        name=name or row[prefix + "user__username"],
    )


def _person_fields(prefix: str) -> list[str]:
    names = ["id", "user_id", "team_id", "role", "secondary_roles"]
    names += ["user__first_name", "user__last_name", "user__username"]
    return [prefix + name for name in names]


def people(member_ids: Collection[int]) -> dict[int, Person]:
    """The active members among member_ids (there are few: each read once)."""
    rows = Member.objects.filter(pk__in=listed(set(member_ids)), user__is_active=True)
    return {row["id"]: _person("", row) for row in rows.values(*_person_fields(""))}


def journey_facts(journey_ids: Collection[int]) -> dict[int, JourneyFacts]:
    facts = {}
    ids = list(journey_ids)
    fields = ["id", "account_id", "account__name", "stage_id", "won", "owner_id"]
    for start in range(0, len(ids), BATCH):
        rows = list(
            Journey.objects.filter(pk__in=listed(ids[start : start + BATCH]))
            # Whether it is won, not when: no datetime to convert per row.
            .annotate(won=ExpressionWrapper(Q(won_at__isnull=False), output_field=BooleanField()))
            .values_list(*fields)
        )
        owners = people({row[-1] for row in rows if row[-1] is not None})
        for pk, account_id, account, stage_id, won, owner_id in rows:
            facts[pk] = JourneyFacts(
                id=pk,
                account_id=account_id,
                account=account,
                stage_id=stage_id,
                won=bool(won),
                owner=owners.get(owner_id) if owner_id is not None else None,
            )
    return facts


def seats_by_journey(journey_ids: Collection[int]) -> dict[int, list[Person]]:
    """The active members on each account team, most recently seated first.
    Seats are read as id pairs; each member once (there are few of them)."""
    pairs: dict[int, list[int]] = defaultdict(list)
    ids = list(journey_ids)
    for start in range(0, len(ids), BATCH):
        rows = (
            AccountTeamMember.objects.filter(
                journey_id__in=listed(ids[start : start + BATCH]), member__user__is_active=True
            )
            .order_by("journey_id", "-joined_at", "-id")
            .values_list("journey_id", "member_id")
        )
        for journey_id, member_id in rows:
            if member_id not in pairs[journey_id]:
                pairs[journey_id].append(member_id)
    seated = people({member_id for members in pairs.values() for member_id in members})
    return {
        journey_id: [seated[member_id] for member_id in members]
        for journey_id, members in pairs.items()
    }


def managers_by_team(team_ids: Collection[int]) -> dict[int, list[Person]]:
    managers: dict[int, list[Person]] = defaultdict(list)
    rows = Member.objects.filter(
        team_id__in=list(team_ids), role=Role.MANAGER, user__is_active=True
    ).values(*_person_fields(""))
    for row in rows:
        managers[row["team_id"]].append(_person("", row))
    return managers


def expansion_roles(won: bool) -> tuple[str, ...]:
    return (Role.CSM, Role.AE) if won else (Role.AE, Role.CSM)


def route(kind: str, journey: JourneyFacts, seats: Sequence[Person]) -> Person | None:
    owner = journey.owner
    if kind in EXPANSION_KINDS:
        roles = expansion_roles(journey.won)
        for role in roles:
            for member in seats:
                if member.has_role(role):
                    return member
        if owner and any(owner.has_role(role) for role in roles):
            return owner
    return owner or (seats[0] if seats else None)
