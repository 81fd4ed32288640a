from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "onethread.support"
    label = "support"
    verbose_name = "Support tickets"
