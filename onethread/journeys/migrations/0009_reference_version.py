import secrets

from django.db import migrations, models


def first_token(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("journeys", "ReferenceVersion").objects.create(pk=1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0008_playbook_step_event"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=40)),
            ],
        ),
        # The triggers that change the token are installed after every migrate
        # (journeys/apps.py): SQLite drops a table's triggers when a migration
        # rebuilds the table.
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
