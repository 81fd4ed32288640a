from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onethread.api"
    label = "api"
    verbose_name = "REST API"
