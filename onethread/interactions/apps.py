from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "onethread.interactions"
    label = "interactions"
    verbose_name = "Interactions"
