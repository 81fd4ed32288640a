"""Accounts are visible through their journeys."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from onethread.customers.models import Account, Contact
from onethread.journeys.access import viewer_for, visible_journeys


def visible_accounts(user: User | AnonymousUser) -> QuerySet[Account]:
    if viewer_for(user).sees_all:
        return Account.objects.all()
    return Account.objects.filter(Exists(visible_journeys(user).filter(account=OuterRef("pk"))))


def get_account_for_user(user: User | AnonymousUser, account_id: int) -> Account:
    try:
        return visible_accounts(user).get(pk=account_id)
    except (Account.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such account.") from error


def get_contact_for_user(user: User | AnonymousUser, contact_id: int) -> Contact:
    try:
        return Contact.objects.select_related("account").get(
            pk=contact_id, account__in=visible_accounts(user)
        )
    except (Contact.DoesNotExist, ValueError, OverflowError) as error:
        raise Http404("No such contact.") from error
