import csv
import io

import pytest
from django.core.management import CommandError, call_command

from onethread.customers.models import Account
from onethread.imports.tests.importing import ACCOUNTS, FIXTURES

pytestmark = pytest.mark.django_db


def command(*arguments: str) -> str:
    out = io.StringIO()
    call_command("import", "csv", *arguments, stdout=out)
    return out.getvalue()


def test_one_mapping_serves_every_file_given(tmp_path):
    mapping = tmp_path / "accounts.toml"
    mapping.write_text(ACCOUNTS)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("Id,Name,Website,Segment,Industry\nA1,Acme,acme.example,,\n")
    second.write_text(
        "Id;Name;Website;Segment;Industry\nA2;Globex;globex.example;;\n"
    )  # another dialect
    output = command("--mapping", str(mapping), str(first), str(second))
    assert "Created: 2 accounts" in output
    assert set(Account.objects.values_list("name", flat=True)) == {"Acme", "Globex"}


def test_mappings_and_files_must_pair_up(tmp_path):
    names = [
        str(FIXTURES / "hubspot" / f"{name}.csv") for name in ("companies", "contacts", "deals")
    ]
    with pytest.raises(CommandError, match="2 mappings for 3 files"):
        command("--mapping", "hubspot/companies", "--mapping", "hubspot/contacts", *names)


def test_a_mapping_with_mistakes_stops_the_command_and_lists_them(tmp_path):
    mapping = tmp_path / "bad.toml"
    mapping.write_text('system = "crm"\nentity = "account"\n[columns]\nnom = "Name"\n')
    with pytest.raises(CommandError) as error:
        command("--mapping", str(mapping), str(FIXTURES / "hubspot" / "companies.csv"))
    assert "columns.nom: an account has no such field" in str(error.value)
    assert "columns.name: required for an account" in str(error.value)


def test_refused_rows_go_to_the_report_file_and_nothing_is_imported(tmp_path):
    report = tmp_path / "refused.csv"
    malformed = FIXTURES / "malformed"
    with pytest.raises(CommandError, match="Nothing was imported"):
        command(
            "--mapping",
            str(malformed / "accounts.toml"),
            "--mapping",
            str(malformed / "deals.toml"),
            str(malformed / "accounts.csv"),
            str(malformed / "unknown_stages.csv"),
            "--report",
            str(report),
        )
    with report.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["file", "line", "column", "value", "reason"],
        [
            "unknown_stages.csv",
            "3",
            "Stage",
            "Negotiation",
            "unknown stage value (known: 'new', 'won', 'lost')",
        ],
    ]
    assert not Account.objects.exists()


def test_skip_invalid_imports_the_rest(tmp_path):
    malformed = FIXTURES / "malformed"
    output = command(
        "--mapping",
        str(malformed / "accounts.toml"),
        "--mapping",
        str(malformed / "deals.toml"),
        str(malformed / "accounts.csv"),
        str(malformed / "unknown_stages.csv"),
        "--skip-invalid",
        "--report",
        str(tmp_path / "refused.csv"),
    )
    assert "Created: 2 accounts, 1 deals, 1 journeys" in output
    assert "Committed." in output
