from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "onethread.notifications"
    label = "notifications"
    verbose_name = "Notifications"
