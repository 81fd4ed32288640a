from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "onethread.commitments"
    label = "commitments"
    verbose_name = "Commitments"
