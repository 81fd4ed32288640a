from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "onethread.training"
    label = "training"
    verbose_name = "Training"
