from django.db import migrations


def vacuum_seats(apps, schema_editor):  # type: ignore[no-untyped-def]
    # 0011 rewrote every seat: PostgreSQL reads a member's seats from the
    # index alone only once the table is vacuumed, and plans them from fresh
    # statistics. (VACUUM cannot run in a transaction: this migration is not
    # atomic.)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) journeys_accountteammember")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("journeys", "0011_seats_keep_their_journey_team"),
    ]

    operations = [
        migrations.RunPython(vacuum_seats, migrations.RunPython.noop),
    ]
