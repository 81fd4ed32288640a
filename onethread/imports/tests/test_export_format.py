"""How values are written and read back, and which tables an export holds:
no database needed."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from onethread.imports.export_tables import (
    BadValue,
    Column,
    export_tables,
    from_text,
    to_text,
)


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        (Column("n", "integer", False), 42, "42"),
        (Column("flag", "boolean", False), False, "false"),
        (Column("price", "decimal(14,2)", True), Decimal("1200.50"), "1200.50"),
        (Column("price", "decimal(14,2)", True), None, ""),
        (Column("score", "float", False), 0.1, "0.1"),
        (Column("day", "date", True), dt.date(2026, 3, 31), "2026-03-31"),
        (Column("data", "json", False), {"b": 1, "a": [1, "é"]}, '{"a":[1,"é"],"b":1}'),
        (Column("data", "json", False), None, "null"),
        (Column("name", "text", False), "", ""),
        (Column("name", "text", False), 'a, "b"\nc', 'a, "b"\nc'),
        (Column("note", "text", True), None, "\\N"),
        (Column("note", "text", True), "", ""),
        (Column("note", "text", True), "\\N", "\\\\N"),
    ],
)
def test_each_value_is_written_one_way_and_read_back_as_it_was(column, value, text):
    assert to_text(column, value) == text
    assert from_text(column, text) == value


def test_times_are_written_in_utc_with_microseconds_whatever_their_zone():
    column = Column("at", "datetime", False)
    paris = dt.datetime(2026, 7, 1, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert to_text(column, paris) == "2026-07-01T12:00:00.000000Z"
    assert from_text(column, "2026-07-01T12:00:00.000000Z") == paris


def test_a_value_that_does_not_fit_its_column_is_refused():
    with pytest.raises(BadValue, match="is not a integer"):
        from_text(Column("n", "integer", False), "forty")
    with pytest.raises(BadValue, match="may not be"):
        from_text(Column("n", "integer", False), "")
    with pytest.raises(BadValue):
        from_text(Column("at", "datetime", False), "2026-07-01 12:00")  # no zone


def test_every_table_comes_after_the_tables_it_refers_to():
    tables = export_tables()
    position = {table.model: index for index, table in enumerate(tables)}
    for table in tables:
        for field in table.model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in position and target is not table.model:
                assert position[target] < position[table.model], (table.name, field.name)


def test_the_export_holds_the_domain_but_no_credentials():
    names = {table.name for table in export_tables()}
    assert {
        "auth_user",
        "journeys_journeyevent",
        "interactions_interaction_contacts",
        "catalogue_product_categories",
        "webhooks_webhook",
        "imports_externalrecord",
    } <= names
    assert "api_apitoken" not in names
    assert "django_session" not in names
    columns = {table.name: table.column_names for table in export_tables()}
    assert "password" not in columns["auth_user"]
    assert "secret" not in columns["webhooks_webhook"]
