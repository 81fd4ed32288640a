import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from onethread.customers.models import Account
from onethread.handoffs.defaults import install_defaults
from onethread.handoffs.models import ContractItem, ReturnReason, Transition
from onethread.imports.export import export_database, sha256
from onethread.imports.export_tables import CONFIGURATION_TABLES, EXCLUDED_MODELS, export_tables
from onethread.imports.restore import RestoreError, restore_database
from onethread.imports.tests.varied_database import build_varied_database
from onethread.journeys.models import JourneyEvent, Stage
from onethread.journeys.stages import install_default_stages
from onethread.webhooks.models import Webhook

pytestmark = pytest.mark.django_db

EXPORTED_AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def contents() -> dict[str, list[tuple[object, ...]]]:
    """Every exported row, every column, of every table."""
    return {
        table.name: list(table.model._base_manager.order_by("pk").values_list(*table.column_names))
        for table in export_tables()
    }


def as_fresh_database() -> None:
    """Empty every exported table and put back what `onethread migrate`
    installs: the state of a new database."""
    quote = connection.ops.quote_name
    for label in EXCLUDED_MODELS:  # derived or credentials: a new database has none
        apps.get_model(label)._base_manager.all().delete()
    with connection.cursor() as cursor:
        for table in reversed(export_tables()):
            cursor.execute(f"DELETE FROM {quote(table.name)}")
    install_default_stages(Stage)
    install_defaults(Stage, Transition, ContractItem, ReturnReason)


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def without_time(manifest: bytes) -> dict[str, object]:
    described = json.loads(manifest)
    described.pop("exported_at")
    return described


def test_export_restore_into_an_empty_database_and_export_again_gives_identical_files(tmp_path):
    build_varied_database()
    before = contents()
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    first = export_database(tmp_path / "first", now=EXPORTED_AT)
    as_fresh_database()

    summary = restore_database(tmp_path / "first")

    assert contents() == before  # every record and event, field by field
    assert summary.rows == sum(table["rows"] for table in first["tables"])
    export_database(tmp_path / "second", now=EXPORTED_AT + dt.timedelta(days=1))
    once, again = files_of(tmp_path / "first"), files_of(tmp_path / "second")
    assert once.keys() == again.keys()
    differing = [name for name in once if once[name] != again[name]]
    assert differing == ["manifest.json"]
    assert without_time(once["manifest.json"]) == without_time(again["manifest.json"])


def test_restoring_from_the_parquet_files_gives_the_same_records(tmp_path):
    build_varied_database()
    before = contents()
    export_database(tmp_path / "export", now=EXPORTED_AT)
    as_fresh_database()

    restore_database(tmp_path / "export", source="parquet")

    assert contents() == before


def test_exporting_twice_gives_identical_files(tmp_path):
    build_varied_database()
    export_database(tmp_path / "a", now=EXPORTED_AT)
    export_database(tmp_path / "b", now=EXPORTED_AT)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_the_manifest_describes_every_file_with_its_rows_columns_and_checksum(tmp_path):
    build_varied_database()
    manifest = export_database(tmp_path, now=EXPORTED_AT)
    assert manifest["format_version"] == 1
    assert manifest["exported_at"] == "2026-05-01T12:00:00Z"
    events = next(table for table in manifest["tables"] if table["name"] == "journeys_journeyevent")
    assert events["rows"] == JourneyEvent.objects.count()
    assert {"name": "occurred_at", "type": "datetime", "nullable": True} in events["columns"]
    for kind in ("csv", "parquet"):
        described = events["files"][kind]
        assert described["sha256"] == sha256(tmp_path / described["name"])
    names = [table["name"] for table in manifest["tables"]]
    assert names.index("customers_account") < names.index("journeys_journey")
    assert names.index("journeys_journey") < names.index("journeys_journeyevent")


def test_values_are_written_one_way_utc_times_and_sorted_json(tmp_path):
    build_varied_database()
    export_database(tmp_path, now=EXPORTED_AT)
    lines = (tmp_path / "journeys_journeyevent.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,journey_id,kind,stage_id,actor_id,occurred_at,recorded_at,payload"
    opened = lines[1].split(",")
    assert opened[5] == "2026-02-02T09:15:30.123456Z"
    payload = json.loads(lines[1].split(",", 7)[7].strip('"').replace('""', '"'))
    assert list(payload) == sorted(payload)


def test_passwords_api_tokens_and_webhook_secrets_are_never_exported(tmp_path):
    build_varied_database()
    secret = Webhook.objects.get().secret
    export_database(tmp_path, now=EXPORTED_AT)
    users = (tmp_path / "auth_user.csv").read_text(encoding="utf-8")
    assert "password" not in users.splitlines()[0]
    assert not any("md5$" in path.read_text(errors="ignore") for path in tmp_path.glob("*.csv"))
    assert not any(secret in path.read_text(errors="ignore") for path in tmp_path.iterdir())
    assert not (tmp_path / "api_apitoken.csv").exists()


def test_restored_users_have_no_password_and_webhooks_a_new_secret(tmp_path):
    build_varied_database()
    secret = Webhook.objects.get().secret
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()

    summary = restore_database(tmp_path)

    zoe = get_user_model().objects.get(username="zoe")
    assert (zoe.first_name, zoe.has_usable_password()) == ("Zoë", False)
    webhook = Webhook.objects.get()
    assert len(webhook.secret) == 64
    assert webhook.secret != secret
    assert any("changepassword" in note for note in summary.notes)


def test_new_records_take_ids_after_the_restored_ones(tmp_path):
    build_varied_database()
    highest = Account.objects.latest("pk").pk
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()
    restore_database(tmp_path)
    assert Account.objects.create(name="After the restore").pk > highest


def test_restore_refuses_a_database_that_is_not_empty_and_says_what_it_holds(tmp_path):
    build_varied_database()
    export_database(tmp_path, now=EXPORTED_AT)
    before = contents()
    with pytest.raises(RestoreError, match=r"not empty \(.*row\(s\) in auth_user"):
        restore_database(tmp_path)
    assert contents() == before


def test_restore_refuses_a_changed_file_before_writing_anything(tmp_path):
    build_varied_database()
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()
    with (tmp_path / "needs_need.csv").open("a", encoding="utf-8") as handle:
        handle.write("999,1,extra,1,open,,,1,,,1\n")
    stages = list(Stage.objects.values_list("pk", "key"))
    with pytest.raises(RestoreError, match=r"needs_need\.csv does not match its checksum"):
        restore_database(tmp_path)
    assert not Account.objects.exists()
    assert list(Stage.objects.values_list("pk", "key")) == stages


def test_a_row_count_that_disagrees_with_the_manifest_rolls_everything_back(tmp_path):
    build_varied_database()
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    events = next(table for table in manifest["tables"] if table["name"] == "journeys_journeyevent")
    events["rows"] += 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RestoreError, match="the manifest says"):
        restore_database(tmp_path)
    assert not Account.objects.exists()
    assert not get_user_model().objects.exists()


def test_restore_refuses_a_folder_without_a_manifest(tmp_path):
    with pytest.raises(RestoreError, match="not an onethread export"):
        restore_database(tmp_path)


def test_the_configuration_migrate_installs_is_replaced_by_the_exports(tmp_path):
    build_varied_database()
    Stage.objects.filter(key="lead").update(name="Inbound lead")
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()
    assert Stage.objects.get(key="lead").name != "Inbound lead"
    restore_database(tmp_path)
    assert Stage.objects.get(key="lead").name == "Inbound lead"
    assert {"journeys.Stage", "handoffs.Transition"} <= CONFIGURATION_TABLES


def test_the_commands_export_and_restore_and_refuse_clearly(tmp_path):
    build_varied_database()
    out = StringIO()
    call_command("export", str(tmp_path / "export"), stdout=out)
    assert "Exported" in out.getvalue()
    with pytest.raises(CommandError, match="not empty"):
        call_command("export", str(tmp_path / "export"), stdout=StringIO())
    with pytest.raises(CommandError, match="Nothing was restored: The database is not empty"):
        call_command("import", "export", str(tmp_path / "export"), stdout=StringIO())
    as_fresh_database()
    out = StringIO()
    call_command("import", "export", str(tmp_path / "export"), "--from", "parquet", stdout=out)
    assert "Restored" in out.getvalue()
    assert get_user_model().objects.filter(username="zoe").exists()


def test_a_parquet_row_count_that_disagrees_is_refused_before_writing(tmp_path):
    build_varied_database()
    export_database(tmp_path, now=EXPORTED_AT)
    as_fresh_database()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    needs = next(table for table in manifest["tables"] if table["name"] == "needs_need")
    needs["rows"] = 7
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(
        RestoreError, match=r"needs_need\.parquet holds 1 rows; the manifest says 7"
    ):
        restore_database(tmp_path, source="parquet")
    assert not get_user_model().objects.exists()
