from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onethread.demo"
    label = "demo"
    verbose_name = "Demo company"
