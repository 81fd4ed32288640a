from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "onethread.team"
    label = "team"
    verbose_name = "Teams and members"
