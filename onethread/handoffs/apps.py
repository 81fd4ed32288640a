from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "onethread.handoffs"
    label = "handoffs"
    verbose_name = "Handoffs"
