"""Background tasks of the handoffs app (run every minute by `onethread worker`)."""

from django.tasks import task

from onethread.handoffs import services


@task
def flag_overdue_handoffs() -> int:
    """Record and announce the handoffs that passed their SLA since the last run."""
    return services.flag_overdue_handoffs()
