from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "onethread.insights"
    label = "insights"
    verbose_name = "Insights"
