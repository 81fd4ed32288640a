from django.db import migrations, models

# PostgreSQL estimates a team's journeys in a stage from each column alone, so
# for a stage a team has (almost) no journeys in it walked the whole stage in
# board order. Statistics on the pair let it pick journey_team_idx there.
STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS journey_team_stage_stats (mcv) "
    "ON team_id, stage_id FROM journeys_journey"
)


def team_stage_statistics(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATISTICS)
        schema_editor.execute("ANALYZE journeys_journey")


def drop_statistics(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS journey_team_stage_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_import_attributes"),
        ("journeys", "0009_reference_version"),
        ("team", "0003_secondary_roles"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="journey",
            name="journey_team_idx",
        ),
        migrations.AddIndex(
            model_name="journey",
            index=models.Index(
                fields=["team", "stage", "stage_entered_at", "id"], name="journey_team_idx"
            ),
        ),
        migrations.RunPython(team_stage_statistics, drop_statistics),
    ]
