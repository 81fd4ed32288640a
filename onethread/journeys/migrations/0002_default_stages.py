from django.db import migrations

from onethread.journeys.stages import install_default_stages


def create_default_stages(apps, schema_editor):
    install_default_stages(apps.get_model("journeys", "Stage"))


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]

    operations = [migrations.RunPython(create_default_stages, migrations.RunPython.noop)]
