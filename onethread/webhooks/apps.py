from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "onethread.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
