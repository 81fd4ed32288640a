"""Writes to accounts and contacts. Contact changes are told on the account's
current journey."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onethread.customers.models import Account, BuyingRole, Contact
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import EventKind, Journey


def current_journey(account: Account) -> Journey | None:
    """The open journey, else the most recently closed one."""
    return (
        Journey.objects.filter(account=account)
        .select_related("stage")
        .order_by(F("closed_at").desc(nulls_first=True), "-id")
        .first()
    )


def _clean_contact(name: str, email: str, buying_role: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "A contact needs a name."
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError:
            errors["email"] = "Enter a valid email address."
    if buying_role not in BuyingRole.values:
        errors["buying_role"] = "Unknown buying role."
    if errors:
        raise ValidationError(errors)
    return {"name": name.strip(), "email": email.strip(), "buying_role": buying_role}


@transaction.atomic
def add_contact(
    account: Account,
    name: str,
    *,
    by: User | None,
    email: str = "",
    phone: str = "",
    title: str = "",
    buying_role: str = BuyingRole.OTHER,
    at: dt.datetime | None = None,
) -> Contact:
    at = at or timezone.now()
    contact = Contact.objects.create(
        account=account,
        phone=phone.strip()[:50],
        title=title.strip()[:200],
        created_at=at,
        **_clean_contact(name, email, buying_role),
    )
    journey = current_journey(account)
    if journey is not None:
        record_event(
            journey,
            EventKind.CONTACT_ADDED,
            by=by,
            occurred_at=at,
            payload={
                "contact_id": contact.pk,
                "name": contact.name,
                "buying_role": contact.buying_role,
                "title": contact.title,
            },
        )
    return contact


@transaction.atomic
def change_contact(
    contact: Contact,
    *,
    by: User | None,
    expected_version: int | None,
    buying_role: str | None = None,
    title: str | None = None,
    is_active: bool | None = None,
    at: dt.datetime | None = None,
) -> Contact:
    """Change a contact's role or title, or record that they left."""
    at = at or timezone.now()
    contact = lock_for_edit(contact, expected_version)
    new_values: dict[str, object] = {}
    if buying_role is not None:
        if buying_role not in BuyingRole.values:
            raise ValidationError({"buying_role": "Unknown buying role."})
        new_values["buying_role"] = buying_role
    if title is not None:
        new_values["title"] = title.strip()[:200]
    if is_active is not None:
        new_values["is_active"] = is_active
    changes = apply_changes(contact, new_values)
    if not changes:
        raise ValidationError("Nothing changed.")
    contact.save()
    journey = current_journey(contact.account)
    if journey is not None:
        record_event(
            journey,
            EventKind.CONTACT_CHANGED,
            by=by,
            occurred_at=at,
            payload={"contact_id": contact.pk, "name": contact.name, "changes": changes},
        )
    return contact
