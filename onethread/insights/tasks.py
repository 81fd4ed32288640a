"""Background task of the insights app (run every minute by `onethread worker`)."""

from django.tasks import task

from onethread.insights import services


@task
def refresh_insights() -> int:
    """Fold the journey events recorded since the last run into the aggregates."""
    return services.refresh_insights().events
