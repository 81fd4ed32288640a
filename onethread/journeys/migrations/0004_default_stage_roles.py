from django.db import migrations

from onethread.journeys.stages import install_default_stages


def set_default_roles(apps, schema_editor):
    install_default_stages(apps.get_model("journeys", "Stage"))


class Migration(migrations.Migration):
    dependencies = [("journeys", "0003_speed_to_lead_and_stage_roles")]

    operations = [migrations.RunPython(set_default_roles, migrations.RunPython.noop)]
