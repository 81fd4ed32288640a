"""Who may see which insights (docs/metrics.md, "Dashboards").

- Admins (the admin role), superusers and staff see every team's figures and
  every member's scorecard; they may filter by any team.
- A member sees the figures of their own team's journeys only; asking for
  another team is refused (403).
- In the scorecards a manager sees every member of their team; anyone else
  sees their own card, and the gaps without the names of who disagrees.
- A user who is not a member of a team (and not staff) sees no insights."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from onethread.journeys.access import viewer_for
from onethread.team.models import Member, Team


@dataclass(frozen=True)
class Scope:
    team_id: int | None  # the journeys' team; None: every team
    may_choose_team: bool
    cards: str  # whose scorecards: "all", "team" or "self"
    member_id: int | None

    def sees_card(self, member_id: int, team_members: frozenset[int]) -> bool:
        if self.cards == "all":
            return True
        if self.cards == "team":
            return member_id in team_members
        return member_id == self.member_id


def insights_scope(user: User | AnonymousUser, requested_team: int | None) -> Scope:
    """The scope of the dashboards for this user and team filter, or 403."""
    viewer = viewer_for(user)
    if viewer.sees_all or getattr(user, "is_staff", False):
        return Scope(requested_team, True, "all", viewer.member.pk if viewer.member else None)
    member = viewer.member
    if member is None:
        raise PermissionDenied("Only members of a team see the insights.")
    if requested_team is not None and requested_team != member.team_id:
        raise PermissionDenied("You see the insights of your own team only.")
    cards = "team" if member.is_manager else "self"
    return Scope(member.team_id, False, cards, member.pk)


def teams_for(scope: Scope) -> list[Team]:
    """The teams the filter offers."""
    if scope.may_choose_team:
        return list(Team.objects.order_by("name"))
    return list(Team.objects.filter(pk=scope.team_id or 0))


def team_member_ids(scope: Scope) -> frozenset[int]:
    if scope.cards != "team":
        return frozenset()
    members = Member.objects.filter(team_id=scope.team_id or 0).order_by()
    return frozenset(members.values_list("pk", flat=True))
