import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from onethread.journeys.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    """An interaction's stage and logged_by lose their indexes (no read uses
    them; every interaction written paid for both), without rebuilding the
    table."""

    dependencies = [
        ("interactions", "0002_journey_index_in_composite"),
        ("journeys", "0013_event_stage_and_actor_unindexed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            "interactions",
            "interaction",
            "stage",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="journeys.stage",
            ),
        ),
        foreign_key_index_dropped(
            "interactions",
            "interaction",
            "logged_by",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
