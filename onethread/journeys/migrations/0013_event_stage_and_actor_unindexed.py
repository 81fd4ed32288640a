import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from onethread.journeys.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    """The event log's stage and actor lose their indexes (no read uses
    them; every event written paid for both), without rebuilding the table."""

    dependencies = [
        ("journeys", "0012_vacuum_seats_after_their_journey_team"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            "journeys",
            "journeyevent",
            "stage",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="journeys.stage",
            ),
        ),
        foreign_key_index_dropped(
            "journeys",
            "journeyevent",
            "actor",
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
