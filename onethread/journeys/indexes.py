"""A migration operation that drops the index Django gives a foreign key,
without rebuilding the table: on SQLite, Django alters a field by copying
its whole table, which for the event log means every event."""

from typing import Any

from django.db import migrations, models


def foreign_key_index_dropped(
    app_label: str, model_name: str, name: str, field: models.ForeignKey[Any, Any]
) -> migrations.SeparateDatabaseAndState:
    """`field` (db_index=False) replaces the field `name` in the migration
    state; the database only loses the field's index (put back in reverse)."""

    def index(apps: Any, schema_editor: Any) -> tuple[str, str, str]:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        column = model._meta.get_field(name).column
        return schema_editor._create_index_name(table, [column], suffix=""), table, column

    def drop(apps: Any, schema_editor: Any) -> None:
        index_name, _, _ = index(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name)}")

    def create(apps: Any, schema_editor: Any) -> None:
        index_name, table, column = index(apps, schema_editor)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index_name)} ON {quote(table)} ({quote(column)})"
        )

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(drop, create)],
    )
