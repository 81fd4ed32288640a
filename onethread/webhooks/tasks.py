"""Background tasks: send a delivery, and pick up the ones whose task was lost."""

import datetime as dt

from django.tasks import task
from django.utils import timezone

from onethread.webhooks.delivery import attempt_delivery, due_delivery_ids

# A pending delivery this late has no task coming for it.
LATE_BY = dt.timedelta(minutes=2)


@task
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; a failure that may be retried enqueues the next try."""
    outcome = attempt_delivery(delivery_id)
    if outcome.retry_at is not None:
        enqueue_delivery(delivery_id, run_after=outcome.retry_at)
    return outcome.status


@task
def send_late_deliveries() -> int:
    """Enqueue the pending deliveries that are overdue (run every minute by the worker)."""
    ids = due_delivery_ids(timezone.now(), late_by=LATE_BY)
    for delivery_id in ids:
        enqueue_delivery(delivery_id)
    return len(ids)


def enqueue_delivery(delivery_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Enqueue an attempt; a backend that cannot defer leaves a retry to send_late_deliveries."""
    if run_after is None:
        deliver_webhook.enqueue(delivery_id)
    elif deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
