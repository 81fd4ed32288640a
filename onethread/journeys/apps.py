from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "onethread.journeys"
    label = "journeys"
    verbose_name = "Journeys"
