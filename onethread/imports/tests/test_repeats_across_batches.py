"""An id repeated further down a file than one batch is still a repeat, not
an update: the import recognises the external records it wrote itself by
their stamp, whichever form the database driver gives it back in."""

import pytest

from onethread.imports import csv_bulk
from onethread.imports.tests.importing import (
    ACCOUNTS,
    DEALS,
    INTERACTIONS,
    refusals,
    run,
    source,
)
from onethread.interactions.models import Interaction

pytestmark = pytest.mark.django_db

ACCOUNT_ROWS = "Id,Name,Website,Segment,Industry\nA1,Acme,acme.example,SMB,Robotics\n"
DEAL_ROWS = (  # the deal opens the account's journey, which the interactions join
    "Id,AccountId,Name,Stage,Amount,Created,Closed,Why lost,Owner,"
    "Entered Discovery,Entered Proposal,Entered Won\n"
    "D1,A1,Acme platform,Discovery,,2024-01-01 09:00,,,,2024-01-01,,\n"
)
INTERACTION_ROWS = "Id,AccountId,Type,Direction,Notes,When\n" + "".join(
    f"I{n},A1,Phone,in,Call number {n},2024-01-{n:02d} 10:00\n" for n in range(1, 21)
)


@pytest.mark.parametrize("batch_size", [4, 5000])
def test_an_id_repeated_batches_later_is_refused_as_a_repeat(tmp_path, monkeypatch, batch_size):
    monkeypatch.setattr(csv_bulk.InteractionWriter, "batch_size", batch_size)
    rows = INTERACTION_ROWS + "I5,A1,Phone,in,Called again,2024-01-25 10:00\n"
    report = run(
        source(tmp_path, ACCOUNTS, "accounts.csv", ACCOUNT_ROWS),
        source(tmp_path, DEALS, "deals.csv", DEAL_ROWS),
        source(tmp_path, INTERACTIONS, "interactions.csv", rows),
        skip_invalid=True,
    )
    assert refusals(report) == [
        ("interactions.csv", 22, "Id", "repeated: the same id is on line 6"),
    ]
    assert not report.updated
    assert Interaction.objects.count() == 20
    assert Interaction.objects.filter(summary="Called again").count() == 0
