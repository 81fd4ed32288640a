"""Reading mapped rows, without a database."""

import datetime as dt
import tomllib

import pytest

from onethread.imports.bulk import _json
from onethread.imports.csv_bulk import logged_json, logged_payload
from onethread.imports.csv_rows import ParsedRow, RowParser, RowRefused, Stages
from onethread.imports.files import read_text_table
from onethread.imports.mapping import parse_mapping
from onethread.imports.tests.importing import DEALS, INTERACTIONS

STAGES = Stages(
    {
        "lead": "Lead",
        "qualification": "Qualification",
        "closing": "Closing",
        "onboarding": "Onboarding",
        "lost": "Lost",
    },
    frozenset({"lost"}),
)
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def parse(mapping_text: str, rows: str) -> list[ParsedRow]:
    """Each row parsed; a refused row fails the test, saying why."""
    table = read_text_table(rows)
    parser = RowParser(parse_mapping(tomllib.loads(mapping_text), "test"), table, STAGES, now=NOW)
    return [parser.parse(row) for row in table.rows]


def refused(mapping_text: str, rows: str) -> list[tuple[str, str, str]]:
    """The problems of the one row given, as (column, value, reason)."""
    with pytest.raises(RowRefused) as error:
        parse(mapping_text, rows)
    return [(problem.column, problem.value, problem.reason) for problem in error.value.problems]


def test_every_problem_of_a_row_is_reported_at_once():
    result = refused(
        INTERACTIONS, "Id,AccountId,Type,Direction,Notes,When\n,A1,Fax,sideways,,2024-13-01 10:00\n"
    )
    assert result == [
        ("Id", "", "no id: every row needs its id"),
        ("Type", "Fax", "not a value the mapping knows (known: 'phone', 'mail')"),
        ("Direction", "sideways", "not a value the mapping knows (known: 'in', 'out')"),
        ("Notes", "", "required, but empty"),
        ("When", "2024-13-01 10:00", "not a date in the allowed formats (%Y-%m-%d %H:%M)"),
    ]


def test_an_interaction_cannot_be_dated_in_the_future():
    result = refused(
        INTERACTIONS,
        "Id,AccountId,Type,Direction,Notes,When\nI1,A1,Phone,in,Hello,2031-01-01 10:00\n",
    )
    assert result == [
        ("When", "2031-01-01T10:00:00+00:00", "an interaction cannot be in the future")
    ]


def test_a_catch_all_value_and_an_empty_value_can_be_mapped():
    mapping = INTERACTIONS.replace('"Mail" = "email"', '"Mail" = "email"\n"*" = "other"').replace(
        '"in" = "inbound"', '"in" = "inbound"\n"" = "outbound"'
    )
    (row,) = parse(
        mapping,
        "Id,AccountId,Type,Direction,Notes,When\nI1,A1,Carrier pigeon,,Hello,2024-01-01 10:00\n",
    )
    assert (row.values["channel"], row.values["direction"]) == ("other", "outbound")


def test_wide_stage_history_keeps_the_earliest_time_of_columns_leading_to_one_stage():
    mapping = DEALS.replace(
        '"Entered Proposal" = "closing"',
        '"Entered Proposal" = "closing"\n"Entered Contract" = "closing"',
    )
    header = (
        "Id,AccountId,Name,Stage,Created,"
        "Entered Discovery,Entered Proposal,Entered Contract,Entered Won\n"
    )
    (row,) = parse(
        mapping,
        header + "D1,A1,Deal,Proposal,2024-01-01 09:00,,2024-02-10 09:00,2024-02-01 09:00,\n",
    )
    assert [(key, moment.at.day if moment else None) for key, moment in row.history] == [
        ("closing", 1)
    ]
    assert row.values["stage"] == "closing"


def test_an_outcome_stage_brings_the_reason_the_mapping_gives_it():
    (row,) = parse(DEALS, "Id,AccountId,Name,Stage,Created\nD1,A1,Deal,lost,2024-01-01\n")
    assert (row.values["stage"], row.reasons) == ("lost", {"lost": "Lost in the old CRM"})


@pytest.mark.parametrize(
    "changed_row",
    ["I1,A1,Phone,in,Hello again,2024-01-01 10:00", "I1,A1,Phone,in,Hello,2024-01-01 10:01"],
)
def test_the_digest_follows_what_the_row_says(changed_row):
    header, row = (
        "Id,AccountId,Type,Direction,Notes,When\n",
        "I1,A1,Phone,in,Hello,2024-01-01 10:00\n",
    )
    (first,), (same,), (changed,) = (
        parse(INTERACTIONS, header + text) for text in (row, row, changed_row)
    )
    assert first.digest == same.digest != changed.digest
    # So does the mapping: fixing a value map re-applies the rows it reads.
    (remapped,) = parse(INTERACTIONS.replace('"Phone" = "call"', '"Phone" = "chat"'), header + row)
    assert remapped.digest != first.digest


def test_rows_without_an_id_column_are_known_by_what_they_say():
    mapping = INTERACTIONS.replace('id_column = "Id"\n', "")
    row = "A1,Phone,in,Hello,2024-01-01 10:00\n"
    rows = "AccountId,Type,Direction,Notes,When\n" + row + row
    first, second = parse(mapping, rows)
    assert first.external_id == second.external_id == "row:" + first.digest


@pytest.mark.parametrize(
    "summary", ["Plain", 'Said "no", then \\ "yes"', "Crème brûlée 🍮\nline two\ttab", "x" * 600]
)
def test_interaction_events_written_directly_are_the_json_the_bulk_writer_would_write(summary):
    direct = logged_json(7, "call", "inbound", summary, ["Ana Lima", "Zoë"])
    assert direct == _json(logged_payload(7, "call", "inbound", summary, ["Ana Lima", "Zoë"]))
