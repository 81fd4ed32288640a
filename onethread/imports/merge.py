"""Merging duplicates: two accounts, or two contacts of one account, become one.

The rules:
- Journey events are append-only: none is moved or rewritten. The removed
  account's journeys (with all their events, needs, deals …) move to the kept
  account as they are, so its timeline holds every event of both.
- An account has at most one open journey: two accounts that both have one
  are not merged until one of those journeys is closed (won, lost or
  disqualified, with its reason).
- Contacts move with their account; external ids of other systems that named
  the removed record now name the kept one, so re-importing them updates the
  kept record instead of creating the duplicate again.
- The kept record keeps its values and takes the removed one's where it has
  none. The removed row is then deleted, and nothing is lost: its values are
  kept in the kept record's `attributes["merged"]` and in the merge event
  (`account_merged` / `contact_merged`) on the account's current journey."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from onethread.customers.models import Account, BuyingRole, Contact
from onethread.customers.services import current_journey
from onethread.imports.models import ExternalRecord
from onethread.journeys.editing import lock_for_edit
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import EventKind, Journey, JourneyEvent

MERGED = "merged"  # the attributes key that lists what was merged in


@dataclass(frozen=True)
class Merged:
    kept: Account | Contact
    moved: dict[str, list[int]]  # what now points at the kept record, by model label
    event: JourneyEvent | None


# Shared steps -----------------------------------------------------------------


def _lock_pair[M: Account | Contact](
    keep: M, remove: M, keep_version: int | None, remove_version: int | None
) -> tuple[M, M]:
    """Both rows under a write lock (in id order, so two merges cannot deadlock)."""
    if keep.pk == remove.pk:
        raise ValidationError(f"A {keep._meta.verbose_name} cannot be merged with itself.")
    versions = {keep.pk: keep_version, remove.pk: remove_version}
    locked = {
        record.pk: lock_for_edit(record, versions[record.pk])
        for record in sorted((keep, remove), key=lambda r: r.pk)
    }
    return locked[keep.pk], locked[remove.pk]


def _repoint(remove: models.Model, keep: models.Model) -> dict[str, list[int]]:
    """Every row that refers to `remove` refers to `keep` instead; many-to-many
    links that `keep` already has are not doubled."""
    moved: dict[str, list[int]] = {}
    for relation in type(remove)._meta.related_objects:
        if relation.many_to_many:
            moved |= _repoint_links(relation, remove, keep)
            continue
        model = relation.related_model
        rows = model._base_manager.filter(**{relation.field.name: remove})
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            continue
        changes: dict[str, Any] = {relation.field.name: keep}
        if model is Journey:
            changes["version"] = F("version") + 1
        model._base_manager.filter(pk__in=ids).update(**changes)
        moved[model._meta.label] = ids
    return moved


def _repoint_links(relation: Any, remove: models.Model, keep: models.Model) -> dict[str, list[int]]:
    through = relation.through
    target = relation.field.m2m_reverse_field_name()  # the through table's link to remove/keep
    other = relation.field.m2m_field_name()  # its link to the records that hold the list
    linked_to_keep = through._base_manager.filter(**{target: keep}).values(other)
    through._base_manager.filter(**{target: remove, f"{other}__in": linked_to_keep}).delete()
    rows = through._base_manager.filter(**{target: remove})
    ids = list(rows.values_list(f"{other}_id", flat=True))
    rows.update(**{target: keep})
    return {relation.related_model._meta.label: ids} if ids else {}


def _repoint_external_ids(kind: str, remove: models.Model, keep: models.Model) -> int:
    return ExternalRecord.objects.filter(kind=kind, object_id=remove.pk).update(object_id=keep.pk)


def _fill_missing(
    keep: models.Model, remove: models.Model, names: list[str]
) -> dict[str, list[object]]:
    """Take the removed record's value for each field the kept one leaves empty."""
    new_values = {
        name: getattr(remove, name)
        for name in names
        if getattr(keep, name) in ("", None) and getattr(remove, name) not in ("", None)
    }
    return apply_changes(keep, new_values)


def _snapshot(
    record: models.Model, names: list[str], at: dt.datetime, by: User | None
) -> dict[str, Any]:
    values: dict[str, Any] = {"id": record.pk}
    for name in names:
        value = getattr(record, name)
        values[name] = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
    attributes = dict(record.attributes)  # type: ignore[attr-defined]
    attributes.pop(MERGED, None)
    values["attributes"] = attributes
    values["merged_at"] = at.isoformat()
    values["merged_by"] = by.get_username() if by else None
    return values


def _merged_attributes(keep: Any, remove: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The kept record's attributes win; the removed one's fill the gaps; the
    list of merged records grows by the removed one (and what it had merged)."""
    history = list(keep.attributes.get(MERGED, [])) + list(remove.attributes.get(MERGED, []))
    attributes = dict(remove.attributes) | dict(keep.attributes)
    attributes[MERGED] = [*history, snapshot]
    return attributes


# Accounts -----------------------------------------------------------------------

ACCOUNT_FIELDS = ["name", "domain", "segment", "employees", "created_at"]


def _check_open_journeys(keep: Account, remove: Account) -> None:
    open_journeys = list(
        Journey.objects.filter(account__in=[keep, remove], closed_at__isnull=True).select_related(
            "stage"
        )
    )
    if len(open_journeys) < 2:
        return
    stages = {journey.account_id: journey.stage.name.lower() for journey in open_journeys}
    raise ValidationError(
        f"Both accounts have an open journey ({keep.name}: {stages[keep.pk]}; "
        f"{remove.name}: {stages[remove.pk]}). An account has one open journey at a time: "
        "close one of them first (won, lost or disqualified, with its reason), then merge."
    )


@transaction.atomic
def merge_accounts(
    keep: Account,
    remove: Account,
    *,
    by: User | None,
    keep_version: int | None = None,
    remove_version: int | None = None,
    at: dt.datetime | None = None,
) -> Merged:
    """Merge `remove` into `keep`: its journeys, contacts and external ids
    move to `keep`, and `remove` is deleted (its values kept, see above)."""
    at = at or timezone.now()
    keep, remove = _lock_pair(keep, remove, keep_version, remove_version)
    _check_open_journeys(keep, remove)
    moved = _repoint(remove, keep)
    external = _repoint_external_ids("account", remove, keep)
    snapshot = _snapshot(remove, ACCOUNT_FIELDS, at, by)
    changes = _fill_missing(keep, remove, ["domain", "segment", "employees"])
    keep.attributes = _merged_attributes(keep, remove, snapshot)
    keep.save()
    Account.objects.filter(pk=remove.pk).delete()
    journey = current_journey(keep)
    event = None
    if journey is not None:
        payload = {
            "merged_account_id": remove.pk,
            "merged_account": remove.name,
            "into_account": keep.name,
            "journeys": moved.get(Journey._meta.label, []),
            "contacts": moved.get(Contact._meta.label, []),
            "external_ids": external,
            "changes": changes,
        }
        event = record_event(
            journey, EventKind.ACCOUNT_MERGED, by=by, occurred_at=at, payload=payload
        )
    return Merged(kept=keep, moved=moved, event=event)


# Contacts -----------------------------------------------------------------------

CONTACT_FIELDS = ["name", "email", "phone", "title", "buying_role", "is_active", "created_at"]


@transaction.atomic
def merge_contacts(
    keep: Contact,
    remove: Contact,
    *,
    by: User | None,
    keep_version: int | None = None,
    remove_version: int | None = None,
    at: dt.datetime | None = None,
) -> Merged:
    """Merge `remove` into `keep`, two contacts of one account: the
    interactions with `remove` are with `keep`, which takes the values it lacks."""
    at = at or timezone.now()
    keep, remove = _lock_pair(keep, remove, keep_version, remove_version)
    if keep.account_id != remove.account_id:
        raise ValidationError(
            f"{keep.name} and {remove.name} are contacts of different accounts: "
            "merge the accounts first, then their contacts."
        )
    moved = _repoint(remove, keep)
    external = _repoint_external_ids("contact", remove, keep)
    snapshot = _snapshot(remove, CONTACT_FIELDS, at, by)
    changes = _fill_missing(keep, remove, ["email", "phone", "title"])
    if keep.buying_role == BuyingRole.OTHER and remove.buying_role != BuyingRole.OTHER:
        changes |= apply_changes(keep, {"buying_role": remove.buying_role})
    keep.attributes = _merged_attributes(keep, remove, snapshot)
    keep.save()
    Contact.objects.filter(pk=remove.pk).delete()
    journey = current_journey(keep.account)
    event = None
    if journey is not None:
        payload = {
            "contact_id": keep.pk,
            "name": keep.name,
            "merged_contact_id": remove.pk,
            "merged_contact": remove.name,
            "interactions": moved.get("interactions.Interaction", []),
            "external_ids": external,
            "changes": changes,
        }
        event = record_event(
            journey, EventKind.CONTACT_MERGED, by=by, occurred_at=at, payload=payload
        )
    return Merged(kept=keep, moved=moved, event=event)
