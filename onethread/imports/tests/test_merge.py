from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from onethread.customers.models import Account, Contact
from onethread.customers.services import add_contact
from onethread.imports.access import check_can_merge
from onethread.imports.merge import merge_accounts, merge_contacts
from onethread.imports.models import ExternalRecord
from onethread.interactions.models import Interaction
from onethread.interactions.services import log_interaction
from onethread.journeys.access import NotPermitted
from onethread.journeys.editing import EditConflict
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from onethread.journeys.services import move_stage
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db


def event_log() -> list[tuple[Any, ...]]:
    return list(
        JourneyEvent.objects.order_by("pk").values_list("pk", "journey_id", "kind", "payload")
    )


def duplicates(sdr):
    """Globex with an open journey, and Globex Inc. whose journey was lost."""
    kept = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    removed = make_journey(owner=sdr, name="Globex Inc.")
    capture_need(removed, "Reporting across sites", by=sdr.user)
    add_contact(removed.account, "Dana Scully", by=sdr.user, email="dana@globex.test")
    move_stage(removed, stage("lost"), by=sdr.user, reason="No budget this year")
    return kept, removed


def test_merging_accounts_moves_the_journeys_and_contacts_and_rewrites_no_event():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    before = event_log()

    merged = merge_accounts(kept.account, removed.account, by=sdr.user)

    assert not Account.objects.filter(pk=removed.account_id).exists()
    assert Journey.objects.get(pk=removed.pk).account_id == kept.account_id
    assert Contact.objects.get(name="Dana Scully").account_id == kept.account_id
    after = event_log()
    assert after[: len(before)] == before  # nothing moved or rewritten
    (new,) = after[len(before) :]
    assert (new[1], new[2]) == (kept.pk, EventKind.ACCOUNT_MERGED)
    assert new[3]["merged_account"] == "Globex Inc."
    assert new[3]["journeys"] == [removed.pk]
    assert merged.event is not None
    assert merged.event.actor == sdr.user


def test_two_accounts_that_both_have_an_open_journey_are_not_merged():
    sdr = make_member(Role.SDR)
    first = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    second = make_journey(owner=sdr, name="Globex Inc.")
    with pytest.raises(ValidationError, match="Both accounts have an open journey") as refused:
        merge_accounts(first.account, second.account, by=sdr.user)
    assert "Globex: qualification; Globex Inc.: lead" in str(refused.value)
    assert Account.objects.count() == 2
    assert Journey.objects.get(pk=second.pk).account_id == second.account_id


def test_the_kept_account_takes_missing_values_and_remembers_the_removed_one():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    Account.objects.filter(pk=removed.account_id).update(
        domain="globex.test", segment="SMB", employees=40, attributes={"hubspot": "7"}
    )
    Account.objects.filter(pk=kept.account_id).update(
        segment="Mid-market", attributes={"tier": "a"}
    )

    merged = merge_accounts(kept.account, removed.account, by=sdr.user)

    assert merged.event is not None
    account = Account.objects.get(pk=kept.account_id)
    assert (account.name, account.domain, account.segment, account.employees) == (
        "Globex", "globex.test", "Mid-market", 40,
    )  # fmt: skip
    assert account.attributes["tier"] == "a"
    assert account.attributes["hubspot"] == "7"
    (remembered,) = account.attributes["merged"]
    assert (remembered["id"], remembered["name"], remembered["segment"]) == (
        removed.account_id, "Globex Inc.", "SMB",
    )  # fmt: skip
    assert merged.event.payload["changes"]["domain"] == ["", "globex.test"]


def test_external_ids_of_the_removed_account_now_name_the_kept_one():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    ExternalRecord.objects.create(
        system="hubspot", kind="account", external_id="99", object_id=removed.account_id
    )
    merge_accounts(kept.account, removed.account, by=sdr.user)
    assert ExternalRecord.objects.get(external_id="99").object_id == kept.account_id


def test_an_account_is_not_merged_with_itself_nor_from_a_stale_page():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    with pytest.raises(ValidationError, match="cannot be merged with itself"):
        merge_accounts(kept.account, kept.account, by=sdr.user)
    with pytest.raises(EditConflict):
        merge_accounts(kept.account, removed.account, by=sdr.user, remove_version=99)
    assert Account.objects.filter(pk=removed.account_id).exists()


def test_a_removed_account_with_the_only_open_journey_hands_it_to_the_kept_one():
    sdr = make_member(Role.SDR)
    closed = make_journey(owner=sdr, name="Globex", stage_key="lost")
    open_one = make_journey(owner=sdr, name="Globex Inc.", stage_key="qualification")
    merged = merge_accounts(closed.account, open_one.account, by=sdr.user)
    assert merged.event is not None
    assert merged.event.journey_id == open_one.pk  # told on the account's current journey
    assert Journey.objects.get(pk=open_one.pk).account_id == closed.account_id


def conversation(sdr):
    journey = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    dana = add_contact(journey.account, "Dana Scully", by=sdr.user, email="dana@globex.test")
    twin = add_contact(journey.account, "D. Scully", by=sdr.user, email="DANA@globex.test",
                       title="CFO", buying_role="decision_maker", phone="+33 1 23")  # fmt: skip
    both = log_interaction(journey, channel="call", direction="outbound", summary="Intro",
                           by=sdr.user, contacts=[dana, twin])  # fmt: skip
    only_twin = log_interaction(journey, channel="email", direction="inbound", summary="Pricing?",
                                by=sdr.user, contacts=[twin])  # fmt: skip
    return journey, dana, twin, both, only_twin


def test_merging_contacts_repoints_interactions_once_and_fills_missing_values():
    sdr = make_member(Role.SDR)
    journey, dana, twin, both, only_twin = conversation(sdr)

    merged = merge_contacts(dana, twin, by=sdr.user)

    assert not Contact.objects.filter(pk=twin.pk).exists()
    assert list(Interaction.objects.get(pk=both.pk).contacts.all()) == [dana]
    assert list(Interaction.objects.get(pk=only_twin.pk).contacts.all()) == [dana]
    dana = Contact.objects.get(pk=dana.pk)
    assert (dana.name, dana.email, dana.title, dana.phone, dana.buying_role) == (
        "Dana Scully", "dana@globex.test", "CFO", "+33 1 23", "decision_maker",
    )  # fmt: skip
    assert dana.attributes["merged"][0]["name"] == "D. Scully"
    assert merged.event is not None
    assert merged.event.kind == EventKind.CONTACT_MERGED
    assert merged.event.journey_id == journey.pk
    assert merged.event.payload["interactions"] == [only_twin.pk]


def test_contacts_of_different_accounts_are_not_merged():
    sdr = make_member(Role.SDR)
    first = add_contact(make_journey(owner=sdr).account, "Dana", by=sdr.user)
    second = add_contact(make_journey(owner=sdr).account, "Dana", by=sdr.user)
    with pytest.raises(ValidationError, match="merge the accounts first"):
        merge_contacts(first, second, by=sdr.user)
    assert Contact.objects.count() == 2


def test_only_admins_and_managers_who_see_every_journey_may_merge():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    with pytest.raises(NotPermitted):
        check_can_merge(sdr.user, kept.account, removed.account)
    check_can_merge(make_member(Role.MANAGER, team=sdr.team).user, kept.account, removed.account)
    check_can_merge(make_member(Role.ADMIN).user, kept.account, removed.account)
    elsewhere = make_member(Role.MANAGER)
    make_journey(owner=make_member(Role.SDR, team=elsewhere.team), name="Other team's")
    with pytest.raises(NotPermitted, match="another team"):
        check_can_merge(elsewhere.user, kept.account, removed.account)


def test_the_merge_command_merges_and_refuses_clearly():
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    out = StringIO()
    call_command("merge", "accounts", str(kept.account_id), str(removed.account_id),
                 "--by", sdr.user.username, stdout=out)  # fmt: skip
    assert f"Merged account {removed.account_id} into account {kept.account_id}" in out.getvalue()
    with pytest.raises(CommandError, match="No account"):
        call_command("merge", "accounts", str(kept.account_id), str(removed.account_id))
    _, dana, twin, *_ = conversation(sdr)
    with pytest.raises(CommandError, match="cannot be merged with itself"):
        call_command("merge", "contacts", str(dana.pk), str(dana.pk))
    call_command("merge", "contacts", str(dana.pk), str(twin.pk), stdout=StringIO())
    assert not Contact.objects.filter(pk=twin.pk).exists()
