from django.db import migrations

from onethread.handoffs.defaults import install_defaults


def create_defaults(apps, schema_editor):
    install_defaults(
        apps.get_model("journeys", "Stage"),
        apps.get_model("handoffs", "Transition"),
        apps.get_model("handoffs", "ContractItem"),
        apps.get_model("handoffs", "ReturnReason"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("handoffs", "0001_initial"),
        ("journeys", "0004_default_stage_roles"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
