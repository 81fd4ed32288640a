from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "onethread.needs"
    label = "needs"
    verbose_name = "Needs ledger"
