from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JourneysConfig(AppConfig):
    name = "onethread.journeys"
    label = "journeys"
    verbose_name = "Journeys"

    def ready(self) -> None:
        from onethread.journeys.reference import install_triggers
        from onethread.journeys.seats import install_seat_team_triggers

        post_migrate.connect(install_triggers, sender=self, dispatch_uid="reference-triggers")
        post_migrate.connect(
            install_seat_team_triggers, sender=self, dispatch_uid="seat-team-triggers"
        )
