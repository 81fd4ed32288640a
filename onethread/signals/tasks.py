"""Background detection, run by `onethread worker`: incremental every minute
(journeys with new events), a full pass over every open journey every few
hours (time alone makes promises overdue and silences long)."""

from django.tasks import task
from django.utils import timezone

from onethread.signals import digest, health_records, runner


@task
def detect_signals_incrementally() -> int:
    """Run the detectors on the journeys with new events; returns signals raised."""
    return sum(run.raised for run in runner.run_incremental(now=timezone.now()))


@task
def detect_signals_fully() -> int:
    """Run every detector on every open journey; returns signals raised."""
    return sum(run.raised for run in runner.run_full(now=timezone.now()))


@task
def record_health_scores() -> int:
    """Today's health score of every open journey after the sale (a row per day)."""
    return health_records.record_health(now=timezone.now())


@task
def send_signal_digests() -> int:
    """The weekly digest email (once per member and week; none without email)."""
    return digest.send_weekly_digests(now=timezone.now())
