import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The journey's own index goes: interaction_journey_idx (journey,
    occurred_at) serves every look-up by journey, and the import writes one
    index fewer per interaction."""

    dependencies = [
        ("interactions", "0001_initial"),
        ("journeys", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interaction",
            name="journey",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="interactions",
                to="journeys.journey",
            ),
        ),
    ]
