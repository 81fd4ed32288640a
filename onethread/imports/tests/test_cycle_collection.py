"""Bulk imports run with Python's cycle collector off, and leave it as they
found it, however they overlap."""

import gc

import pytest

from onethread.imports import csv_bulk
from onethread.imports.bulk import no_cycle_collection
from onethread.imports.tests.importing import (
    ACCOUNTS,
    DEALS,
    INTERACTIONS,
    run,
    source,
)


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.django_db
@pytest.mark.usefixtures("collector_on")
def test_an_import_writes_with_the_collector_off_and_turns_it_on_again(tmp_path, monkeypatch):
    seen = []
    write = csv_bulk.InteractionWriter.write

    def write_and_look(self, batch):
        seen.append(gc.isenabled())
        write(self, batch)

    monkeypatch.setattr(csv_bulk.InteractionWriter, "write", write_and_look)
    report = run(
        source(
            tmp_path, ACCOUNTS, "accounts.csv", "Id,Name,Website,Segment,Industry\nA1,Acme,,,\n"
        ),
        source(
            tmp_path,
            DEALS,
            "deals.csv",
            "Id,AccountId,Name,Stage,Amount,Created\nD1,A1,Pilot,Discovery,,2024-01-01 09:00\n",
        ),
        source(
            tmp_path,
            INTERACTIONS,
            "interactions.csv",
            "Id,AccountId,Type,Direction,Notes,When\nI1,A1,Phone,in,Hello,2024-01-02 10:00\n",
        ),
    )
    assert report.committed, report.summary_lines()
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_overlapping_imports_turn_it_on_when_the_last_one_ends():
    first, second = no_cycle_collection(), no_cycle_collection()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    was = gc.isenabled()
    gc.disable()
    try:
        with no_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
