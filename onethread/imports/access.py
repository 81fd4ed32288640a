"""Who may import files and merge duplicates: admins and managers."""

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from onethread.customers.models import Account
from onethread.journeys.access import NotPermitted, viewer_for, visible_journeys
from onethread.journeys.models import Journey


def manages_data(user: User | AnonymousUser) -> bool:
    """Admins (and superusers) and managers bring data in and merge duplicates."""
    viewer = viewer_for(user)
    return viewer.sees_all or bool(viewer.member and viewer.member.is_manager)


def check_can_import(user: User | AnonymousUser) -> None:
    """The import pages do not exist for anyone else."""
    if not manages_data(user):
        raise Http404("No such page.")


def check_can_merge(user: User | AnonymousUser, *accounts: Account) -> None:
    """May the user merge these accounts (or contacts of them)? A manager
    merges only accounts whose every journey they can see."""
    if not manages_data(user):
        raise NotPermitted("Only admins and managers merge duplicates.")
    if viewer_for(user).sees_all:
        return
    hidden = Journey.objects.filter(account__in=accounts).exclude(
        pk__in=visible_journeys(user).values("pk")
    )
    if hidden.exists():
        raise NotPermitted(
            "One of these accounts has journeys of another team, which you cannot see: "
            "ask an admin to merge them."
        )
