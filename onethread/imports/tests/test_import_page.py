import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onethread.customers.models import Account
from onethread.imports.models import ImportRun
from onethread.team.models import Role
from tests.builders import PASSWORD, make_member

pytestmark = pytest.mark.django_db

MAPPING = b"""
system = "crm"
entity = "account"
id_column = "Id"

[columns]
name = "Name"
domain = "Website"
employees = "Employees"
"""
WITH_REFUSED_ROWS = (
    b"Id,Name,Website,Employees\n1,Acme,acme.test,12\n2,,beta.test,many\n3,Gamma,gamma.test,5\n"
)


@pytest.fixture(autouse=True)
def reports_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def login(client, role=Role.MANAGER):
    member = make_member(role)
    assert client.login(username=member.user.username, password=PASSWORD)
    return member


def upload(client, content=WITH_REFUSED_ROWS, mapping=MAPPING, **fields):
    data = {
        "csv_files": [SimpleUploadedFile("accounts.csv", content, content_type="text/csv")],
        "mapping_file": SimpleUploadedFile("crm-accounts.toml", mapping),
        **fields,
    }
    return client.post(reverse("imports"), data)


@pytest.mark.parametrize(
    ("role", "status"), [(Role.SDR, 404), (Role.CSM, 404), (Role.MANAGER, 200), (Role.ADMIN, 200)]
)
def test_only_admins_and_managers_have_an_import_page(client, role, status):
    login(client, role)
    assert client.get(reverse("imports")).status_code == status
    assert upload(client).status_code in ({404} if status == 404 else {422})


def test_refused_rows_are_listed_with_line_column_value_and_reason_and_nothing_is_committed(client):
    login(client)
    response = upload(client)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "required, but empty" in html
    assert "<code>many</code>" in html
    assert "accounts.csv" in html
    assert not Account.objects.exists()
    run = ImportRun.objects.get()
    assert (run.status, run.rows_read, run.rows_rejected) == ("rejected", 3, 1)
    assert reverse("import-report", args=[run.pk]) in html


def test_the_report_downloads_as_csv_with_every_refused_value(client):
    login(client)
    upload(client)
    run = ImportRun.objects.get()
    response = client.get(reverse("import-report", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {(row["line"], row["column"], row["value"]) for row in rows} == {
        ("3", "Name", ""),
        ("3", "Employees", "many"),
    }


def test_skipping_invalid_rows_imports_the_valid_ones_and_still_reports_the_rest(client):
    login(client)
    response = upload(client, skip_invalid="on")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported, without the refused rows" in html
    assert "Created 2 accounts" in html
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Acme", "Gamma"]
    assert ImportRun.objects.get().status == "partial"


def test_a_clean_file_is_imported_and_listed_among_past_imports(client):
    manager = login(client)
    response = upload(client, content=b"Id,Name,Website,Employees\n1,Acme,acme.test,12\n")
    assert response.status_code == 200
    assert "Created 1 accounts" in response.content.decode()
    page = client.get(reverse("imports")).content.decode()
    assert "Committed" in page
    assert manager.user.username in page or manager.name in page


def test_a_wrong_mapping_is_explained_and_nothing_is_imported(client):
    login(client)
    response = upload(client, mapping=b'system = "crm"\nentity = "planet"\n')
    assert response.status_code == 422
    assert "is not one of" in response.content.decode()
    assert not ImportRun.objects.exists()
    response = upload(client, mapping=b"not toml at all [")
    assert "not valid TOML" in response.content.decode()


def test_a_mapping_must_be_chosen_or_uploaded(client):
    login(client)
    response = client.post(
        reverse("imports"), {"csv_files": [SimpleUploadedFile("a.csv", WITH_REFUSED_ROWS)]}
    )
    assert response.status_code == 422
    assert "Choose a ready-made mapping or upload your own" in response.content.decode()


def test_uploads_over_the_limit_are_refused_before_importing(client, settings):
    login(client)
    settings.IMPORT_MAX_UPLOAD_MB = 0
    response = upload(client)
    assert response.status_code == 422
    assert "the page takes up to 0 MB" in response.content.decode()
    big = b"Id,Name\n" + b"1,Acme\n" * 200_000  # 1.4 MB: over the limit and its margin
    assert upload(client, content=big).status_code == 413
    assert not ImportRun.objects.exists()


def test_reports_are_only_for_admins_and_managers_and_only_when_kept(client):
    login(client)
    upload(client)
    run = ImportRun.objects.get()
    quiet = ImportRun.objects.create(source="olist", status="committed")
    assert client.get(reverse("import-report", args=[quiet.pk])).status_code == 404
    client.logout()
    login(client, Role.SDR)
    assert client.get(reverse("import-report", args=[run.pk])).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries_however_many_imports(
    client, django_assert_max_num_queries
):
    manager = login(client)
    for _ in range(3):
        ImportRun.objects.create(source="olist", status="committed", by=manager.user)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("imports"))
    for _ in range(30):
        ImportRun.objects.create(source="olist", status="rejected", by=manager.user)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("imports"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_ready_made_mapping_imports_a_hubspot_export(client):
    login(client)
    fixture = Path(__file__).parent / "fixtures" / "hubspot" / "companies.csv"
    response = client.post(
        reverse("imports"),
        {
            "csv_files": [SimpleUploadedFile("companies.csv", fixture.read_bytes())],
            "mapping": "hubspot/companies",
        },
    )
    assert response.status_code == 200
    assert "Imported" in response.content.decode()
    assert Account.objects.filter(name="Northwind Traders", domain="northwind.example").exists()
    assert 'value="hubspot/companies"' in client.get(reverse("imports")).content.decode()
