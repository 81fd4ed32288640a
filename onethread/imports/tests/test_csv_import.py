import datetime as dt
import tomllib
from pathlib import Path

import pytest

from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal
from onethread.imports import csv_bulk
from onethread.imports.csv_import import file_source
from onethread.imports.mapping import parse_mapping
from onethread.imports.models import ExternalRecord, ImportRun
from onethread.imports.tests.importing import (
    ACCOUNTS,
    DEALS,
    INTERACTIONS,
    refusals,
    run,
    source,
    table_counts,
)
from onethread.interactions.models import Interaction
from onethread.interactions.services import log_interaction
from onethread.journeys.models import EventKind, Journey, JourneyEvent
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db

ACCOUNT_ROWS = """Id,Name,Website,Segment,Industry
A1,Acme,acme.example,Enterprise,Robotics
A2,Globex,globex.example,SMB,Energy
"""
DEAL_ROWS = """Id,AccountId,Name,Stage,Amount,Created,Closed,Why lost,Owner,\
Entered Discovery,Entered Proposal,Entered Won
D1,A1,Acme platform,Won,12000,2024-01-10 09:00,2024-03-01,,,2024-01-10 09:00,yes,2024-03-01 16:00
D2,A2,Globex pilot,Discovery,,2024-02-01 10:00,,,,2024-02-01,,
"""
INTERACTION_ROWS = """Id,AccountId,Type,Direction,Notes,When
I1,A1,Phone,in,Asked for a demo,2024-01-09 15:00
I2,A1,Mail,out,Sent the proposal,2024-02-20 11:00
I3,A2,Phone,out,Kick-off call,2024-02-02 09:30
"""


def three_files(
    folder: Path,
    accounts: str = ACCOUNT_ROWS,
    deals: str = DEAL_ROWS,
    interactions: str = INTERACTION_ROWS,
):
    # Given in the wrong order on purpose: the importer orders them.
    return (
        source(folder, INTERACTIONS, "interactions.csv", interactions),
        source(folder, DEALS, "deals.csv", deals),
        source(folder, ACCOUNTS, "accounts.csv", accounts),
    )


def test_files_are_imported_in_the_order_their_records_depend_on(tmp_path):
    report = run(*three_files(tmp_path))
    assert report.committed, report.summary_lines()
    assert report.errors == []
    assert dict(report.created) == {"accounts": 2, "journeys": 2, "deals": 2, "interactions": 3}
    acme = Journey.objects.get(account__name="Acme")
    assert acme.stage.key == "onboarding"
    assert acme.won_at == dt.datetime(2024, 3, 1, 15, 0, tzinfo=dt.UTC)  # 16:00 in Paris
    assert acme.first_touch_at == dt.datetime(2024, 1, 9, 15, 0, tzinfo=dt.UTC)
    assert Account.objects.get(name="Acme").attributes == {"Industry": "Robotics"}
    assert Deal.objects.get(name="Acme platform").status == Deal.Status.WON
    assert ImportRun.objects.get().status == ImportRun.Status.COMMITTED


def test_running_the_same_import_again_creates_nothing(tmp_path):
    assert run(*three_files(tmp_path)).committed
    before = table_counts()
    again = run(*three_files(tmp_path))
    assert again.committed
    assert table_counts() == before
    assert sum(again.created.values()) == sum(again.updated.values()) == 0
    assert "Nothing new: every row was already imported as it is." in again.summary_lines()


def test_an_updated_file_updates_in_place_and_tells_the_timeline(tmp_path):
    assert run(*three_files(tmp_path)).committed
    before = table_counts()
    last_event = JourneyEvent.objects.latest("id")
    report = run(
        *three_files(
            tmp_path,
            accounts=ACCOUNT_ROWS.replace("Enterprise", "Strategic"),
            deals=DEAL_ROWS.replace("Globex pilot,Discovery,,", "Globex pilot,Discovery,4500,"),
            interactions=INTERACTION_ROWS.replace("Kick-off call", '"Kick-off call, with the CFO"'),
        )
    )
    assert report.committed, report.summary_lines()
    assert dict(report.updated) == {"accounts": 1, "deals": 1, "interactions": 1}
    assert Account.objects.get(name="Acme").segment == "Strategic"
    assert Deal.objects.get(name="Globex pilot").amount == 4500
    assert Interaction.objects.get(summary="Kick-off call, with the CFO")
    changed = JourneyEvent.objects.filter(id__gt=last_event.pk, payload__imported_from="crm")
    assert sorted(changed.values_list("kind", flat=True)) == [
        EventKind.ACCOUNT_CHANGED,
        EventKind.DEAL_CHANGED,
        EventKind.INTERACTION_CHANGED,
    ]
    assert changed.get(kind=EventKind.ACCOUNT_CHANGED).payload["changes"] == {
        "segment": ["Enterprise", "Strategic"]
    }
    counts = table_counts()
    assert counts.pop("journeys.JourneyEvent") == before.pop("journeys.JourneyEvent") + 3
    assert counts == before


def test_by_default_nothing_is_committed_when_any_row_is_refused(tmp_path):
    before = table_counts()
    report = run(*three_files(tmp_path, deals=DEAL_ROWS.replace("2024-02-01 10:00", "1 Feb 2024")))
    assert not report.committed
    assert refusals(report) == [
        ("deals.csv", 3, "Created", "not a date in the allowed formats (%Y-%m-%d %H:%M, %Y-%m-%d)"),
        (
            "interactions.csv",
            4,
            "AccountId",
            "depends on deals.csv line 3, which was refused (it would have "
            "opened the account's journey)",
        ),
    ]
    assert table_counts() == before
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED
    assert (
        report.summary_lines()[-1]
        == "Nothing was committed: fix the rows above, or use --skip-invalid."
    )


def test_skip_invalid_commits_the_valid_rows_and_refuses_those_that_depend_on_refused_ones(
    tmp_path,
):
    accounts = ACCOUNT_ROWS.replace("A2,Globex,", "A2,,")  # no name: refused
    report = run(*three_files(tmp_path, accounts=accounts), skip_invalid=True)
    assert report.committed
    assert refusals(report) == [
        ("accounts.csv", 3, "Name", "required, but empty"),
        (
            "deals.csv",
            3,
            "AccountId",
            "depends on account 'A2' (accounts.csv line 3), which was refused",
        ),
        (
            "interactions.csv",
            4,
            "AccountId",
            "depends on account 'A2' (accounts.csv line 3), which was refused",
        ),
    ]
    assert list(Account.objects.values_list("name", flat=True)) == ["Acme"]
    assert Interaction.objects.count() == 2
    assert ImportRun.objects.get().status == ImportRun.Status.PARTIAL


def test_an_import_interrupted_in_the_middle_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    before = table_counts()
    monkeypatch.setattr(csv_bulk.InteractionWriter, "batch_size", 1)
    write = csv_bulk.InteractionWriter.write
    calls = []

    def write_then_fail(self, batch):
        calls.append(batch)
        if len(calls) == 2:
            raise KeyboardInterrupt("the power went out")
        write(self, batch)

    monkeypatch.setattr(csv_bulk.InteractionWriter, "write", write_then_fail)
    with pytest.raises(KeyboardInterrupt):
        run(*three_files(tmp_path))
    assert len(calls) == 2  # accounts, journeys, deals and one interaction were written, then lost
    assert table_counts() == before


def test_accounts_match_existing_ones_by_domain_then_by_name_and_the_report_says_so(tmp_path):
    by_domain = Account.objects.create(name="ACME Corporation", domain="acme.example")
    by_name = Account.objects.create(name="Globex GmbH")
    report = run(source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS))
    assert report.committed
    assert Account.objects.count() == 2
    assert ExternalRecord.objects.get(external_id="A1").object_id == by_domain.pk
    assert ExternalRecord.objects.get(external_id="A2").object_id == by_name.pk
    by_name.refresh_from_db()
    assert by_name.name == "Globex GmbH"  # a match fills blanks, it does not overwrite
    assert (by_name.domain, by_name.segment) == ("globex.example", "SMB")
    assert report.notes[-3:] == [
        "Linked 2 row(s) to records that already existed, instead of copies:",
        "  accounts.csv:2: account 'Acme' matched an existing account by domain",
        "  accounts.csv:3: account 'Globex' matched an existing account by name",
    ]


def test_contacts_match_existing_ones_by_email_whatever_its_case(tmp_path):
    account = Account.objects.create(name="Acme", domain="acme.example")
    existing = Contact.objects.create(account=account, name="Ana Lima", email="ana@acme.example")
    mapping = """
        system = "crm"
        entity = "contact"
        id_column = "Id"
        [columns]
        first_name = "First"
        last_name = "Last"
        email = "Email"
        title = "Title"
        [references]
        account = "AccountId"
    """
    accounts = source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS)
    contacts = source(
        tmp_path,
        mapping,
        "contacts.csv",
        "Id,AccountId,First,Last,Email,Title\n"
        "C1,A1,Ana,Lima,ANA@Acme.Example,CTO\n"
        "C2,A1,Bo,Chen,bo@acme.example,CFO\n",
    )
    report = run(accounts, contacts)
    assert report.committed, report.summary_lines()
    assert Contact.objects.count() == 2
    existing.refresh_from_db()
    assert existing.title == "CTO"
    assert ExternalRecord.objects.get(kind="contact", external_id="C1").object_id == existing.pk
    assert Contact.objects.get(email="bo@acme.example").name == "Bo Chen"


def test_wide_stage_history_gives_one_stage_change_per_stage_entered_and_invents_no_time(tmp_path):
    assert run(*three_files(tmp_path)).committed
    acme = Journey.objects.get(account__name="Acme")
    entered = acme.events.filter(kind=EventKind.STAGE_ENTERED).order_by("id")
    assert [(event.payload["to"], event.occurred_at) for event in entered] == [
        ("qualification", dt.datetime(2024, 1, 10, 8, 0, tzinfo=dt.UTC)),
        ("onboarding", dt.datetime(2024, 3, 1, 15, 0, tzinfo=dt.UTC)),
        ("closing", None),  # "yes": entered, at a time the export does not give
    ]
    globex = Journey.objects.get(account__name="Globex")
    (only,) = globex.events.filter(kind=EventKind.STAGE_ENTERED)
    assert only.payload["precision"] == "day"  # a date without a time
    assert not globex.events.filter(payload__to="closing").exists()  # an empty cell: never entered


def test_imported_interactions_look_like_logged_ones_and_sit_in_the_stage_of_their_time(tmp_path):
    assert run(*three_files(tmp_path)).committed
    acme = Journey.objects.get(account__name="Acme")
    logged = log_interaction(acme, channel="call", direction="inbound", summary="By hand", by=None)
    by_hand = acme.events.get(kind=EventKind.INTERACTION_LOGGED, payload__interaction_id=logged.pk)
    imported = (
        acme.events.filter(kind=EventKind.INTERACTION_LOGGED)
        .exclude(pk=by_hand.pk)
        .order_by("occurred_at")
    )
    assert all(set(event.payload) == set(by_hand.payload) for event in imported)
    # The proposal was sent in February, while the deal stood in qualification.
    proposal = Interaction.objects.get(summary="Sent the proposal")
    event = imported.get(payload__interaction_id=proposal.pk)
    assert (proposal.stage.key, event.stage.key) == ("qualification", "qualification")


def test_an_owner_no_user_has_is_refused_unless_the_mapping_leaves_it_empty(tmp_path):
    sam = make_member(username="sam", email="sam@example.com")
    deals = DEAL_ROWS.replace("2024-03-01,,,", "2024-03-01,,SAM@example.com,").replace(
        "2024-02-01 10:00,,,", "2024-02-01 10:00,,,nobody@example.com"
    )
    report = run(*three_files(tmp_path, deals=deals), skip_invalid=True)
    assert refusals(report)[0] == ("deals.csv", 3, "Owner", "no user here with this email")
    acme = Journey.objects.get(account__name="Acme")
    assert acme.owner == sam
    assert acme.account_team.filter(member=sam, owned=True).exists()
    lenient = DEALS.replace('by = "email" }', 'by = "email", unknown = "leave_empty" }')
    report = run(
        source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS),
        source(tmp_path, lenient, "deals.csv", deals),
    )
    assert report.committed
    assert report.notes[-1] == "1 row(s) name an owner who is no user here: left unowned."


def test_tickets_of_an_account_without_a_journey_open_one_where_the_mapping_says(tmp_path):
    mapping = """
        system = "crm"
        entity = "ticket"
        id_column = "Id"
        open_journeys_in = "adoption"
        [columns]
        subject = "Subject"
        opened_at = "Opened"
        resolved_at = "Closed"
        priority = "Priority"
        [references]
        account = "AccountId"
    """
    tickets = source(
        tmp_path,
        mapping,
        "tickets.csv",
        "Id,AccountId,Subject,Opened,Closed,Priority\n"
        "T1,A1,Login fails,2024-05-01T09:00:00Z,2024-05-02T10:00:00Z,urgent\n",
    )
    report = run(source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS), tickets)
    assert report.committed, report.summary_lines()
    journey = Journey.objects.get()
    assert (journey.stage.key, journey.won_at) == ("adoption", None)  # when it was won is not known
    kinds = list(journey.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        EventKind.JOURNEY_OPENED,
        EventKind.STAGE_ENTERED,
        EventKind.TICKET_OPENED,
        EventKind.TICKET_CHANGED,
    ]
    ticket = journey.tickets.get()
    assert (ticket.priority, ticket.status) == (1, "resolved")


def test_long_stage_history_moves_a_journey_to_its_latest_dated_stage(tmp_path):
    history = """
        system = "crm"
        entity = "stage_history"
        [columns]
        stage = "Stage"
        occurred_at = "At"
        [references]
        deal = "DealId"
        [values.stage]
        "Proposal" = "closing"
        "Lost" = { stage = "lost", reason = "Went quiet" }
        [dates]
        formats = ["iso"]
    """
    rows = (
        "DealId,Stage,At\n"
        "D2,Proposal,2024-02-10T10:00:00Z\n"
        "D2,Lost,2024-04-01T08:00:00Z\n"
        "D2,Proposal,\n"
    )
    report = run(*three_files(tmp_path), source(tmp_path, history, "history.csv", rows))
    assert report.committed, report.summary_lines()
    globex = Journey.objects.get(account__name="Globex")
    assert (globex.stage.key, globex.outcome_reason) == ("lost", "Went quiet")
    assert globex.closed_at == dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC)
    undated = globex.events.get(
        kind=EventKind.STAGE_ENTERED, payload__to="closing", occurred_at__isnull=True
    )
    assert undated.payload["time_known"] is False


def test_a_mapping_that_names_a_stage_this_installation_lacks_stops_the_import(tmp_path):
    deals = DEALS.replace('"Proposal" = "closing"', '"Proposal" = "negotiation"')
    report = run(
        source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS),
        source(tmp_path, deals, "deals.csv", DEAL_ROWS),
        skip_invalid=True,
    )
    assert not report.committed
    assert refusals(report) == [
        (
            "deals.csv",
            0,
            "",
            "mapping deals.csv mapping: values.stage 'proposal' names the stage 'negotiation',"
            " unknown here (stages: lead, qualification, closing, onboarding, adoption,"
            " expansion, disqualified, lost, churned)",
        ),
    ]


def test_interactions_can_refer_to_journeys_made_outside_the_import(tmp_path):
    journey = make_journey(name="Initech")
    ExternalRecord.objects.create(
        system="crm", kind="journey", external_id="J9", object_id=journey.pk
    )
    mapping = INTERACTIONS.replace('account = "AccountId"', 'journey = "JourneyId"')
    report = run(
        source(
            tmp_path,
            mapping,
            "interactions.csv",
            "Id,JourneyId,Type,Direction,Notes,When\n"
            "I9,J9,Phone,in,Called back,2024-06-01 10:00\n"
            "I10,J404,Phone,in,Lost,2024-06-01 10:00\n",
        ),
        skip_invalid=True,
    )
    assert refusals(report) == [
        (
            "interactions.csv",
            3,
            "JourneyId",
            "no journey with this crm id in the files or the database",
        )
    ]
    assert journey.interactions.get().summary == "Called back"


def test_parquet_files_import_like_csv(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    run(
        source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS),
        source(tmp_path, DEALS, "deals.csv", DEAL_ROWS),
    )
    table = pa.table(
        {
            "Id": ["P1"],
            "AccountId": ["A2"],
            "Type": ["Mail"],
            "Direction": ["out"],
            "Notes": ["Sent the contract"],
            "When": ["2024-03-03 12:00"],
        }
    )
    pq.write_table(table, tmp_path / "interactions.parquet")
    mapping = parse_mapping(tomllib.loads(INTERACTIONS), "interactions")
    report = run(file_source(mapping, tmp_path / "interactions.parquet"))
    assert report.committed, report.summary_lines()
    assert Interaction.objects.get().summary == "Sent the contract"
