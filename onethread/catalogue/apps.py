from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "onethread.catalogue"
    label = "catalogue"
    verbose_name = "Product catalogue"
