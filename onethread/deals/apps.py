from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "onethread.deals"
    label = "deals"
    verbose_name = "Deals"
