"""An import started outside any transaction, as the command and the bench
run it: on SQLite it writes without a foreign-key check per row (each
reference was read from the database in the same transaction), and the
connection has its checks back afterwards."""

import pytest
from django.db import connection

from onethread.imports.tests.importing import ACCOUNTS, DEALS, INTERACTIONS, run, source
from onethread.interactions.models import Interaction
from onethread.journeys.models import EventKind, JourneyEvent

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT_ROWS = "Id,Name,Website,Segment,Industry\nA1,Acme,acme.example,Enterprise,Robotics\n"
DEAL_ROWS = (
    "Id,AccountId,Name,Stage,Amount,Created,Closed,Why lost,Owner,"
    "Entered Discovery,Entered Proposal,Entered Won\n"
    "D1,A1,Acme pilot,Discovery,,2024-02-01 10:00,,,,2024-02-01,,\n"
)
INTERACTION_ROWS = (
    "Id,AccountId,Type,Direction,Notes,When\n"
    "I1,A1,Phone,in,Asked for a demo,2024-02-03 15:00\n"
    "I2,A1,Mail,out,Sent the proposal,2024-02-20 11:00\n"
)


def test_an_import_outside_a_transaction_leaves_no_dangling_reference_and_checks_on(tmp_path):
    report = run(
        source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS),
        source(tmp_path, DEALS, "deals.csv", DEAL_ROWS),
        source(tmp_path, INTERACTIONS, "interactions.csv", INTERACTION_ROWS),
    )

    assert report.committed, report.summary_lines()
    assert Interaction.objects.count() == 2
    assert JourneyEvent.objects.filter(kind=EventKind.INTERACTION_LOGGED).count() == 2
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
