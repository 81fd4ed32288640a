"""The malformed files in fixtures/malformed: each gives its exact per-row
report and leaves every table as it was."""

import pytest

from onethread.customers.models import Account
from onethread.imports.csv_import import file_source, import_csv
from onethread.imports.mapping import load_mapping
from onethread.imports.models import ImportRun
from onethread.imports.report import ImportReport
from onethread.imports.tests.importing import FIXTURES, refusals, table_counts

pytestmark = pytest.mark.django_db
MALFORMED = FIXTURES / "malformed"


def import_files(*names: str, skip_invalid: bool = False) -> ImportReport:
    """accounts.csv first (what the deals refer to), then the named files."""
    sources = []
    for name in ("accounts.csv", *names):
        mapping = (
            "deals.toml" if name != "accounts.csv" and "accounts" not in name else "accounts.toml"
        )
        sources.append(file_source(load_mapping(MALFORMED / mapping), MALFORMED / name))
    return import_csv(sources, skip_invalid=skip_invalid)


def refused_and_unchanged(*names: str) -> ImportReport:
    before = table_counts()
    report = import_files(*names)
    assert not report.committed
    assert table_counts() == before
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED
    return report


def test_bad_dates_are_refused_with_the_formats_the_mapping_allows():
    report = refused_and_unchanged("bad_dates.csv")
    allowed = "not a date in the allowed formats (%d/%m/%Y %H:%M, %d/%m/%Y)"
    assert refusals(report) == [
        ("bad_dates.csv", 3, "Created", allowed),  # 31 February
        ("bad_dates.csv", 4, "Created", allowed),  # year first
        ("bad_dates.csv", 5, "Created", allowed),  # "yesterday"
    ]
    assert [error.value for error in report.errors] == [
        "31/02/2024 10:00",
        "2024-03-05 10:00",
        "yesterday",
    ]


def test_an_unknown_stage_value_is_refused_with_the_values_the_mapping_knows():
    report = refused_and_unchanged("unknown_stages.csv")
    assert refusals(report) == [
        ("unknown_stages.csv", 3, "Stage", "unknown stage value (known: 'new', 'won', 'lost')"),
    ]
    assert report.errors[0].value == "Negotiation"


def test_missing_required_columns_are_one_error_about_the_file():
    report = refused_and_unchanged("missing_columns.csv")
    assert refusals(report) == [
        (
            "missing_columns.csv",
            1,
            "Name, Created",
            f"required column(s) missing (the mapping {MALFORMED / 'deals.toml'} needs them)",
        ),
    ]
    assert report.rows_read == 0  # nothing was read, not even the accounts


def test_a_latin1_file_is_read_as_latin1():
    report = import_files("latin1_accounts.csv")
    assert report.committed, report.summary_lines()
    assert set(Account.objects.values_list("name", flat=True)) >= {
        "Société Générale",
        "Müller Logistik",
    }


def test_a_file_mixing_encodings_refuses_the_lines_that_are_not_utf8():
    report = refused_and_unchanged("mixed_encoding_accounts.csv")
    assert refusals(report) == [
        (
            "mixed_encoding_accounts.csv",
            3,
            "Name",
            "bytes that are not UTF-8: the file mixes encodings",
        ),
    ]
    skipped = import_files("mixed_encoding_accounts.csv", skip_invalid=True)
    assert skipped.committed
    assert set(Account.objects.values_list("name", flat=True)) == {
        "Acme",
        "Globex",
        "Crème Brûlée SARL",
        "Smørrebrød A/S",
    }


def test_a_repeated_external_id_is_refused_where_it_repeats():
    report = refused_and_unchanged("duplicate_ids.csv")
    assert refusals(report) == [
        ("duplicate_ids.csv", 4, "Id", "repeated: the same id is on line 2")
    ]
    assert report.errors[0].value == "D1"


def test_a_truncated_last_line_is_refused_at_its_first_missing_column():
    report = refused_and_unchanged("truncated.csv")
    # "D2,A2,Glob": the name was cut short, the stage and the rest never came.
    assert refusals(report) == [("truncated.csv", 3, "Stage", "missing: the line ends early")]
