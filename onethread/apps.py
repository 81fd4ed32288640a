from django.apps import AppConfig


class OnethreadConfig(AppConfig):
    name = "onethread"
    label = "onethread"
    verbose_name = "onethread"

    def ready(self) -> None:
        from onethread import checks  # noqa: F401  (registers the system checks)
