"""Reads for the import page and the merge pages."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q

from onethread.customers.access import visible_accounts
from onethread.customers.models import Account, Contact
from onethread.imports.models import ImportRun
from onethread.journeys.models import Journey, JourneyEvent

RUNS_LISTED = 30
SEARCH_RESULTS = 20
CONTACTS_LISTED = 200


def recent_runs(limit: int = RUNS_LISTED) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("by").order_by("-started_at", "-id")[:limit])


def find_accounts(user: User | AnonymousUser, account: Account, text: str) -> list[Account]:
    """Accounts the user sees whose name or domain holds the text (or whose id it is)."""
    text = text.strip()
    if not text:
        return []
    matches = Q(name__icontains=text) | Q(domain__icontains=text)
    if text.isdigit() and len(text) < 19:
        matches |= Q(pk=int(text))
    return list(
        visible_accounts(user)
        .filter(matches)
        .exclude(pk=account.pk)
        .order_by("name", "id")[:SEARCH_RESULTS]
    )


@dataclass
class AccountSide:
    account: Account
    journeys: list[Journey]
    contacts: int
    events: int

    @property
    def open_journey(self) -> Journey | None:
        return next((journey for journey in self.journeys if not journey.is_closed), None)


def merge_sides(keep: Account, remove: Account) -> tuple[AccountSide, AccountSide]:
    """What each account holds, for the confirmation page (four queries)."""
    journeys: dict[int, list[Journey]] = {keep.pk: [], remove.pk: []}
    for journey in (
        Journey.objects.filter(account__in=[keep, remove])
        .select_related("stage", "owner__user")
        .order_by("-opened_at", "-id")
    ):
        journeys[journey.account_id].append(journey)
    contacts = dict(
        Contact.objects.filter(account__in=[keep, remove])
        .order_by()
        .values_list("account_id")
        .annotate(n=Count("id"))
    )
    events = dict(
        JourneyEvent.objects.filter(journey__account__in=[keep, remove])
        .order_by()
        .values_list("journey__account_id")
        .annotate(n=Count("id"))
    )
    return tuple(  # type: ignore[return-value]
        AccountSide(
            account, journeys[account.pk], contacts.get(account.pk, 0), events.get(account.pk, 0)
        )
        for account in (keep, remove)
    )


def account_contacts(account: Account) -> list[Contact]:
    return list(Contact.objects.filter(account=account).order_by("name", "id")[:CONTACTS_LISTED])


def likely_duplicates(contacts: list[Contact]) -> list[tuple[Contact, Contact]]:
    """Pairs of contacts with the same email, or the same name, ignoring case."""
    pairs: list[tuple[Contact, Contact]] = []
    seen: dict[str, Contact] = {}
    for contact in contacts:
        keys = [f"name:{contact.name.strip().casefold()}"]
        if contact.email.strip():
            keys.append(f"email:{contact.email.strip().casefold()}")
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            older, newer = sorted((first, contact), key=lambda record: record.pk)
            pairs.append((older, newer))  # suggest keeping the one known first
            continue
        for key in keys:
            seen[key] = contact
    return pairs
