from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "onethread.imports"
    label = "imports"
    verbose_name = "Imports and exports"
