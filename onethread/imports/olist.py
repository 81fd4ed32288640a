"""`onethread import olist DIR`: the real Olist funnel as journeys.

Each MQL is a lead journey; each closed deal takes it through qualification
(its SDR) and closing (its sales rep) to a win; each won seller's order items
are value events after the sale. All in one transaction: a refused row means
nothing is committed (unless skip_invalid), and an interruption leaves the
database as it was. External ids make a second run change nothing, and an
updated file update records in place, with the change on the timeline."""

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onethread.customers.models import Account
from onethread.deals.models import Deal
from onethread.imports.bulk import BulkTable, allocate_ids, no_cycle_collection
from onethread.imports.models import ExternalRecord, ImportRun
from onethread.imports.olist_files import (
    OLIST_TIME_ZONE,
    ClosedDeal,
    Mql,
    OlistData,
    read_olist,
)
from onethread.imports.report import ImportReport
from onethread.journeys import counts
from onethread.journeys.events import apply_changes, record_event
from onethread.journeys.models import AccountTeamMember, EventKind, Journey, JourneyEvent, Stage
from onethread.journeys.stages import install_default_stages
from onethread.team.models import Member, Role, Team

SYSTEM = "olist"
TEAM_NAME = "Olist sales"
Progress = Callable[[str, int, int], None]


def digest(*values: object) -> str:
    return hashlib.md5(repr(values).encode(), usedforsecurity=False).hexdigest()


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of a day in Olist's time zone: a date, not a time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=OLIST_TIME_ZONE)


@dataclass
class Plan:
    """What the import will write, gathered before writing."""

    stages: dict[str, Stage]
    team: Team
    now: dt.datetime
    records: dict[tuple[str, str], tuple[int, str]]  # (kind, external id) → (object id, digest)
    members: dict[str, Member] = field(default_factory=dict)
    new_records: list[tuple[str, str, int, str]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    seats: list[AccountTeamMember] = field(default_factory=list)

    def event(
        self,
        journey_id: int,
        kind: str,
        stage: str,
        occurred_at: dt.datetime | None,
        payload: dict[str, Any],
        actor_id: int | None = None,
    ) -> None:
        self.events.append(
            (journey_id, kind, self.stages[stage].pk, actor_id, occurred_at, self.now, payload)
        )


EVENT_FIELDS = [
    "journey_id",
    "kind",
    "stage_id",
    "actor_id",
    "occurred_at",
    "recorded_at",
    "payload",
]


def import_olist(
    directory: Path,
    *,
    skip_invalid: bool = False,
    by: User | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    started = time.perf_counter()
    report = ImportReport(source=SYSTEM)
    data = read_olist(directory, report)
    whole_file_errors = any(error.line <= 1 for error in report.errors)
    if report.errors and (not skip_invalid or whole_file_errors):
        report.seconds = time.perf_counter() - started
        _log_run(report, by)
        return report
    data = _drop_refused(data, report)
    with no_cycle_collection(), transaction.atomic():
        plan = _plan(now or timezone.now())
        _write(data, plan, report, progress)
    report.committed = True
    report.seconds = time.perf_counter() - started
    _log_run(report, by)
    return report


def _drop_refused(data: OlistData, report: ImportReport) -> OlistData:
    """With skip_invalid: leave out refused rows, and deals of refused MQLs."""
    refused = {(error.file, error.line) for error in report.errors}
    mqls = [
        mql
        for mql in data.mqls
        if ("olist_marketing_qualified_leads_dataset.csv", mql.line) not in refused
    ]
    kept = {mql.mql_id for mql in mqls}
    deals = [
        deal
        for deal in data.deals
        if ("olist_closed_deals_dataset.csv", deal.line) not in refused and deal.mql_id in kept
    ]
    return OlistData(mqls, deals, data.sellers, data.categories, data.order_items)


def _plan(now: dt.datetime) -> Plan:
    install_default_stages(Stage)
    team, _ = Team.objects.get_or_create(name=TEAM_NAME)
    records = {
        (kind, external_id): (object_id, stored_digest)
        for kind, external_id, object_id, stored_digest in ExternalRecord.objects.filter(
            system=SYSTEM
        ).values_list("kind", "external_id", "object_id", "digest")
    }
    return Plan(
        stages={stage.key: stage for stage in Stage.objects.all()},
        team=team,
        now=now,
        records=records,
    )


def _write(data: OlistData, plan: Plan, report: ImportReport, progress: Progress | None) -> None:
    _members(data.deals, plan, report)
    journeys = _journeys(data, plan, report, progress)
    _deals(data, plan, journeys, report, progress)
    _value_events(data, plan, journeys, report)
    events = BulkTable(JourneyEvent, EVENT_FIELDS).insert(plan.events)
    report.notes.append(f"{events:,} journey events written.")
    AccountTeamMember.objects.bulk_create(plan.seats, ignore_conflicts=True, batch_size=5000)
    # The board's counts are maintained by the services; a bulk write recounts.
    counts.recount()
    BulkTable(
        ExternalRecord, ["system", "kind", "external_id", "object_id", "digest", "imported_at"]
    ).insert((SYSTEM, kind, ext, oid, dig, plan.now) for kind, ext, oid, dig in plan.new_records)


def _members(deals: list[ClosedDeal], plan: Plan, report: ImportReport) -> None:
    """SDRs and sales reps become members of the Olist team; one person may hold both roles."""
    roles: dict[str, set[str]] = {}
    for deal in deals:
        roles.setdefault(deal.sdr_id, set()).add(Role.SDR)
        roles.setdefault(deal.sr_id, set()).add(Role.AE)
    existing = {
        external_id: object_id
        for (kind, external_id), (object_id, _) in plan.records.items()
        if kind == "member"
    }
    known = Member.objects.in_bulk(existing.values())
    users = get_user_model()
    for person, held in sorted(roles.items()):
        primary = Role.SDR if Role.SDR in held else Role.AE
        secondary = sorted(held - {primary})
        member = known.get(existing.get(person, -1))
        if member is None:
            label = "SDR" if primary == Role.SDR else "Sales rep"
            user = users.objects.create_user(
                username=f"olist-{person}", first_name=label, last_name=person[:8], is_active=False
            )
            member = Member.objects.create(
                user=user, team=plan.team, role=primary, secondary_roles=secondary
            )
            plan.new_records.append(("member", person, member.pk, ""))
            report.created["members"] += 1
        elif member.secondary_roles != secondary:
            member.secondary_roles = secondary
            member.save(update_fields=["secondary_roles"])
            report.updated["members"] += 1
        plan.members[person] = member


def _account_values(mql: Mql, deal: ClosedDeal | None, data: OlistData) -> dict[str, Any]:
    if deal is None:
        return {
            "name": f"Lead {mql.mql_id[:8]}",
            "segment": "",
            "attributes": {"mql_id": mql.mql_id},
        }
    seller = data.sellers.get(deal.seller_id)
    attributes: dict[str, Any] = {"mql_id": mql.mql_id, "seller_id": deal.seller_id}
    if seller is not None:
        attributes |= {
            "city": seller.city,
            "state": seller.state,
            "zip_code_prefix": seller.zip_prefix,
        }
    return {
        "name": f"Seller {deal.seller_id[:8]}",
        "segment": deal.segment,
        "attributes": attributes,
    }


def _journeys(
    data: OlistData, plan: Plan, report: ImportReport, progress: Progress | None
) -> dict[str, int]:
    """Accounts and lead journeys for every MQL; returns mql_id → journey id."""
    deals = {deal.mql_id: deal for deal in data.deals}
    fresh = [mql for mql in data.mqls if ("journey", mql.mql_id) not in plan.records]
    account_ids = iter(allocate_ids(Account, len(fresh)))
    journey_ids = iter(allocate_ids(Journey, len(fresh)))
    accounts, journeys, result = [], [], {}
    for done, mql in enumerate(data.mqls, start=1):
        account = _account_values(mql, deals.get(mql.mql_id), data)
        opened = day_start(mql.first_contact)
        journey_digest = digest(mql.first_contact, mql.landing_page_id, mql.origin)
        account_digest = digest(account)
        found = plan.records.get(("journey", mql.mql_id))
        if found is not None:
            result[mql.mql_id] = found[0]
            _update_existing(mql, account, opened, journey_digest, account_digest, plan, report)
            continue
        account_id, journey_id = next(account_ids), next(journey_ids)
        result[mql.mql_id] = journey_id
        accounts.append(
            (
                account_id,
                account["name"],
                "",
                account["segment"],
                None,
                account["attributes"],
                opened,
                1,
            )
        )
        journeys.append(
            (
                journey_id,
                account_id,
                plan.team.pk,
                plan.stages["lead"].pk,
                None,
                mql.origin,
                opened,
                opened,
                None,
                None,
                None,
                "",
                {"landing_page_id": mql.landing_page_id},
                1,
            )
        )
        plan.event(
            journey_id,
            EventKind.JOURNEY_OPENED,
            "lead",
            opened,
            {
                "account": account["name"],
                "source": mql.origin,
                "precision": "day",
                "imported_from": SYSTEM,
            },
        )
        plan.event(
            journey_id, EventKind.STAGE_ENTERED, "lead", opened, {"to": "lead", "precision": "day"}
        )
        plan.new_records += [
            ("account", mql.mql_id, account_id, account_digest),
            ("journey", mql.mql_id, journey_id, journey_digest),
        ]
        if progress and done % 1000 == 0:
            progress("leads", done, len(data.mqls))
    BulkTable(
        Account,
        ["id", "name", "domain", "segment", "employees", "attributes", "created_at", "version"],
    ).insert(accounts)
    BulkTable(
        Journey,
        [
            "id",
            "account_id",
            "team_id",
            "stage_id",
            "owner_id",
            "source",
            "opened_at",
            "stage_entered_at",
            "first_touch_at",
            "won_at",
            "closed_at",
            "outcome_reason",
            "attributes",
            "version",
        ],
    ).insert(journeys)
    report.created["accounts"] += len(accounts)
    report.created["journeys"] += len(journeys)
    return result


def _update_existing(
    mql: Mql,
    account_values: dict[str, Any],
    opened: dt.datetime,
    journey_digest: str,
    account_digest: str,
    plan: Plan,
    report: ImportReport,
) -> None:
    """An MQL imported before: change what the file now says differently,
    and tell it on the timeline."""
    journey_id, stored = plan.records[("journey", mql.mql_id)]
    account_id, stored_account = plan.records.get(("account", mql.mql_id), (None, ""))
    if stored == journey_digest and stored_account == account_digest:
        report.unchanged["journeys"] += 1
        return
    journey = Journey.objects.select_related("account").get(pk=journey_id)
    changes = apply_changes(
        journey,
        {
            "source": mql.origin,
            "opened_at": opened,
            "attributes": journey.attributes | {"landing_page_id": mql.landing_page_id},
        },
    )
    if changes:
        journey.save()
        record_event(
            journey,
            EventKind.JOURNEY_CHANGED,
            by=None,
            occurred_at=plan.now,
            payload={"changes": changes, "imported_from": SYSTEM},
        )
        report.updated["journeys"] += 1
    account_changes = apply_changes(journey.account, account_values)
    if account_changes:
        journey.account.save()
        record_event(
            journey,
            EventKind.ACCOUNT_CHANGED,
            by=None,
            occurred_at=plan.now,
            payload={"changes": account_changes, "imported_from": SYSTEM},
        )
        report.updated["accounts"] += 1
    ExternalRecord.objects.filter(system=SYSTEM, kind="journey", external_id=mql.mql_id).update(
        digest=journey_digest
    )
    if account_id is not None:
        ExternalRecord.objects.filter(system=SYSTEM, kind="account", external_id=mql.mql_id).update(
            digest=account_digest
        )


def _deals(
    data: OlistData,
    plan: Plan,
    journeys: dict[str, int],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    fresh = [deal for deal in data.deals if ("deal", deal.mql_id) not in plan.records]
    deal_ids = iter(allocate_ids(Deal, len(fresh)))
    rows = []
    won_before_contact = 0
    firsts = {mql.mql_id: mql.first_contact for mql in data.mqls}
    for deal in data.deals:
        found = plan.records.get(("deal", deal.mql_id))
        if found is not None:
            _update_deal(deal, found, plan, report)
            continue
        journey_id = journeys[deal.mql_id]
        deal_id = next(deal_ids)
        sdr, rep = plan.members[deal.sdr_id], plan.members[deal.sr_id]
        name = f"Olist marketplace: {deal.segment or 'unsegmented'}"
        rows.append(
            (
                deal_id,
                journey_id,
                name,
                "new_business",
                None,
                "BRL",
                deal.won_at.date(),
                "won",
                "",
                deal.details,
                None,
                deal.won_at,
                1,
            )
        )
        # The data says who qualified and who closed, not when: no time is invented.
        plan.event(
            journey_id,
            EventKind.STAGE_ENTERED,
            "qualification",
            None,
            {"from": "lead", "to": "qualification", "time_known": False},
            sdr.user_id,
        )
        plan.event(
            journey_id,
            EventKind.OWNER_CHANGED,
            "qualification",
            None,
            {"from": None, "from_id": None, "to": sdr.name, "to_id": sdr.pk},
            sdr.user_id,
        )
        plan.event(
            journey_id,
            EventKind.STAGE_ENTERED,
            "closing",
            None,
            {"from": "qualification", "to": "closing", "time_known": False},
            rep.user_id,
        )
        if rep.pk != sdr.pk:
            plan.event(
                journey_id,
                EventKind.OWNER_CHANGED,
                "closing",
                None,
                {"from": sdr.name, "from_id": sdr.pk, "to": rep.name, "to_id": rep.pk},
                rep.user_id,
            )
        plan.event(
            journey_id,
            EventKind.DEAL_CREATED,
            "closing",
            None,
            {
                "deal_id": deal_id,
                "name": name,
                "kind": "new_business",
                "amount": None,
                "currency": "BRL",
                "products": [],
            },
            rep.user_id,
        )
        plan.event(
            journey_id,
            EventKind.DEAL_CHANGED,
            "closing",
            deal.won_at,
            {
                "deal_id": deal_id,
                "name": name,
                "amount": None,
                "changes": {"status": ["open", "won"]},
            },
            rep.user_id,
        )
        plan.event(
            journey_id,
            EventKind.STAGE_ENTERED,
            "onboarding",
            deal.won_at,
            {"from": "closing", "to": "onboarding"},
            rep.user_id,
        )
        for member, stage, owned in (
            (sdr, "qualification", True),
            (rep, "closing", True),
            (rep, "onboarding", True),
        ):
            plan.seats.append(
                AccountTeamMember(
                    journey_id=journey_id,
                    member=member,
                    stage=plan.stages[stage],
                    owned=owned,
                    joined_at=deal.won_at,
                )
            )
        plan.new_records.append(("deal", deal.mql_id, deal_id, digest(deal.details, deal.won_at)))
        if deal.won_at.date() < firsts.get(deal.mql_id, deal.won_at.date()):
            won_before_contact += 1
    BulkTable(
        Deal,
        [
            "id",
            "journey_id",
            "name",
            "kind",
            "amount",
            "currency",
            "close_date",
            "status",
            "lost_reason",
            "attributes",
            "created_by_id",
            "created_at",
            "version",
        ],
    ).insert(rows)
    _advance_won_journeys([deal for deal in data.deals if deal in fresh], plan, journeys)
    report.created["deals"] += len(rows)
    if won_before_contact:
        report.notes.append(
            f"{won_before_contact} deal(s) won before their first contact: "
            "kept as the data gives them."
        )
    if progress:
        progress("deals", len(data.deals), len(data.deals))


def _advance_won_journeys(fresh: list[ClosedDeal], plan: Plan, journeys: dict[str, int]) -> None:
    """Won journeys now stand in onboarding, owned by their sales rep."""
    onboarding = plan.stages["onboarding"]
    for deal in fresh:
        Journey.objects.filter(pk=journeys[deal.mql_id]).update(
            stage=onboarding,
            stage_entered_at=deal.won_at,
            won_at=deal.won_at,
            owner=plan.members[deal.sr_id],
            version=F("version") + 1,
        )


def _update_deal(
    deal: ClosedDeal, found: tuple[int, str], plan: Plan, report: ImportReport
) -> None:
    deal_id, stored = found
    new_digest = digest(deal.details, deal.won_at)
    if stored == new_digest:
        report.unchanged["deals"] += 1
        return
    record = Deal.objects.select_related("journey").get(pk=deal_id)
    changes = apply_changes(record, {"attributes": deal.details, "close_date": deal.won_at.date()})
    if changes:
        record.version += 1
        record.save()
        record_event(
            record.journey,
            EventKind.DEAL_CHANGED,
            by=None,
            occurred_at=plan.now,
            payload={
                "deal_id": deal_id,
                "name": record.name,
                "changes": changes,
                "imported_from": SYSTEM,
            },
        )
        report.updated["deals"] += 1
    ExternalRecord.objects.filter(system=SYSTEM, kind="deal", external_id=deal.mql_id).update(
        digest=new_digest
    )


def _value_events(
    data: OlistData, plan: Plan, journeys: dict[str, int], report: ImportReport
) -> None:
    """Each order item a won seller sold: value delivered after the sale."""
    by_seller = {deal.seller_id: deal.mql_id for deal in data.deals}
    written = 0
    for item in sorted(
        data.order_items, key=lambda item: (item.shipped_by, item.order_id, item.item)
    ):
        external_id = f"{item.order_id}:{item.item}"
        mql_id = by_seller.get(item.seller_id)
        if mql_id is None or ("value", external_id) in plan.records:
            continue
        journey_id = journeys[mql_id]
        plan.event(
            journey_id,
            EventKind.VALUE_RECORDED,
            "onboarding",
            item.shipped_by,
            {
                "amount": str(item.price),
                "freight": str(item.freight),
                "currency": "BRL",
                "category": data.categories.get(item.product_id, ""),
                "order_id": item.order_id,
                "item": item.item,
                "product_id": item.product_id,
            },
        )
        plan.new_records.append(("value", external_id, journey_id, ""))
        written += 1
    report.created["value events"] += written


def _log_run(report: ImportReport, by: User | None) -> None:
    status = (
        ImportRun.Status.PARTIAL
        if report.committed and report.errors
        else ImportRun.Status.COMMITTED
        if report.committed
        else ImportRun.Status.REJECTED
    )
    ImportRun.objects.create(
        source=report.source,
        files=report.files,
        status=status,
        rows_read=report.rows_read,
        rows_rejected=report.rejected_rows,
        created=dict(report.created),
        updated=dict(report.updated),
        seconds=report.seconds,
        by=by,
    )
