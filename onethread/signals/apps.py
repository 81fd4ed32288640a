from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "onethread.signals"
    label = "signals"
    verbose_name = "Signals"
