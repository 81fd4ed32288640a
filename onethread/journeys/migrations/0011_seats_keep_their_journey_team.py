import django.db.models.deletion
from django.db import migrations, models

# Every seat takes its journey's team; from now on the triggers of
# journeys/seats.py keep it (installed after every migrate).
FILL = (
    "UPDATE journeys_accountteammember SET journey_team_id = "
    "(SELECT team_id FROM journeys_journey WHERE journeys_journey.id = "
    "journeys_accountteammember.journey_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0010_team_index_in_board_order"),
        ("team", "0003_secondary_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountteammember",
            name="journey_team",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="team.team",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="accountteammember",
            name="account_team_member_idx",
        ),
        migrations.AddIndex(
            model_name="accountteammember",
            index=models.Index(
                fields=["member", "journey_team", "journey"], name="seat_member_team_idx"
            ),
        ),
    ]
