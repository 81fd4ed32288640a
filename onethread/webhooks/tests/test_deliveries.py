"""Journey events reach the webhooks subscribed to them: signed, retried with
back-off, logged attempt by attempt, and delivered once."""

import datetime as dt
import json
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onethread.handoffs.models import Handoff
from onethread.handoffs.services import send_handoff
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey
from onethread.journeys.services import move_stage
from onethread.team.models import Role
from onethread.webhooks.models import Delivery, DeliveryAttempt, Webhook
from onethread.webhooks.signing import verify
from onethread.webhooks.subscriptions import subscribed_event_types
from onethread.webhooks.tests.receiver import Receiver
from tests.builders import make_journey, make_member, stage

pytestmark = pytest.mark.django_db


def hand_off(on_commit, *, name: str = "Globex") -> tuple[Journey, Handoff]:
    """An SDR hands a journey to an AE (overriding the contract), committed."""
    sdr = make_member(Role.SDR)
    ae = make_member(Role.AE, team=sdr.team)
    journey = make_journey(owner=sdr, stage_key="qualification", name=name)
    with on_commit(execute=True):
        handoff = send_handoff(
            journey,
            by=sdr.user,
            to_stage=stage("closing"),
            to_member=ae,
            override_reason="The customer wants to talk to an AE today",
        )
    return journey, handoff


def run_worker() -> None:
    call_command("worker", "--once", stdout=None)


def make_retries_due() -> None:
    """Skip the back-off waits: every pending delivery and deferred task is
    due an hour ago (so the worker's sweep enqueues each a second time too)."""
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(next_attempt_at=an_hour_ago)
    DBTaskResult.objects.filter(status="READY").update(run_after=an_hour_ago)


def test_a_sent_handoff_reaches_the_receiver_signed_with_the_secret(
    receiver: Receiver, django_capture_on_commit_callbacks, settings
):
    settings.ONETHREAD_BASE_URL = "https://crm.example.com"
    webhook = Webhook.objects.create(
        name="Data warehouse", url=receiver.url, event_types=["handoff_sent"]
    )
    journey, handoff = hand_off(django_capture_on_commit_callbacks)
    run_worker()

    [request] = receiver.requests
    assert request.path == "/hooks/onethread"
    signature = request.headers["X-Onethread-Signature"]
    assert verify(webhook.secret, request.body, signature, now=int(time.time()))
    assert not verify("not-the-secret", request.body, signature, now=int(time.time()))
    delivery = Delivery.objects.get()
    assert request.headers["X-Onethread-Delivery"] == str(delivery.pk)
    assert request.headers["X-Onethread-Event"] == "handoff_sent"
    body = json.loads(request.body)
    assert body["id"] == delivery.pk
    assert body["event"] == "handoff_sent"
    assert body["data"]["handoff_id"] == handoff.pk
    assert body["data"]["to_stage"] == "closing"
    assert body["journey"]["account"] == {"id": journey.account_id, "name": "Globex"}
    assert body["journey"]["stage"] == "qualification"
    assert body["journey"]["owner"]["id"] == journey.owner_id
    assert body["links"]["account"] == f"https://crm.example.com/accounts/{journey.account_id}/"
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200


def test_a_receiver_failing_twice_gets_the_event_once_as_the_log_records(
    receiver: Receiver, django_capture_on_commit_callbacks
):
    receiver.script = [500, 500]  # then 200
    Webhook.objects.create(name="Flaky", url=receiver.url, event_types=["handoff_sent"])
    hand_off(django_capture_on_commit_callbacks)

    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == DeliveryAttempt.objects.get().at + dt.timedelta(seconds=30)
    retry = DBTaskResult.objects.get(status="READY", task_path__endswith="deliver_webhook")
    assert retry.run_after == delivery.next_attempt_at
    run_worker()
    assert receiver.answered == [500], "the retry waits for its time"

    make_retries_due()
    run_worker()
    make_retries_due()
    run_worker()
    make_retries_due()
    run_worker()

    assert receiver.answered == [500, 500, 200]
    assert receiver.processed == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.delivered_at is not None
    attempts = list(delivery.attempt_log.values_list("status_code", flat=True))
    assert attempts == [500, 500, 200]
    assert "HTTP 500" in delivery.attempt_log.all()[0].error


def test_a_delivery_that_keeps_failing_is_given_up_after_six_attempts(
    receiver: Receiver, django_capture_on_commit_callbacks
):
    receiver.script = [503] * 10
    Webhook.objects.create(name="Down", url=receiver.url, event_types=["handoff_sent"])
    hand_off(django_capture_on_commit_callbacks)
    for _ in range(8):
        run_worker()
        make_retries_due()

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 6
    assert delivery.next_attempt_at is None
    assert receiver.answered == [503] * 6
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_an_unreachable_receiver_is_logged_and_retried(django_capture_on_commit_callbacks):
    with_no_server = "http://127.0.0.1:9/hooks"  # the discard port: nothing listens
    Webhook.objects.create(name="Gone", url=with_no_server, event_types=["handoff_sent"])
    hand_off(django_capture_on_commit_callbacks)
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()
    assert delivery.attempt_log.get().status_code is None


def test_a_webhook_gets_only_the_event_types_it_subscribed_to(
    receiver: Receiver, django_capture_on_commit_callbacks
):
    Webhook.objects.create(name="Accepts only", url=receiver.url, event_types=["handoff_accepted"])
    hand_off(django_capture_on_commit_callbacks)
    run_worker()
    assert not Delivery.objects.exists()
    assert receiver.requests == []


def test_an_inactive_webhook_gets_nothing(receiver: Receiver, django_capture_on_commit_callbacks):
    Webhook.objects.create(
        name="Paused", url=receiver.url, event_types=["handoff_sent"], active=False
    )
    hand_off(django_capture_on_commit_callbacks)
    run_worker()
    assert not Delivery.objects.exists()
    assert receiver.requests == []


def test_deliveries_of_a_webhook_deactivated_before_sending_are_not_sent(
    receiver: Receiver, django_capture_on_commit_callbacks
):
    webhook = Webhook.objects.create(
        name="Soon off", url=receiver.url, event_types=["handoff_sent"]
    )
    hand_off(django_capture_on_commit_callbacks)
    webhook.active = False
    webhook.save()
    run_worker()
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "deactivated" in delivery.last_error


def test_a_stage_change_is_delivered_with_the_stage_entered(
    receiver: Receiver, django_capture_on_commit_callbacks
):
    Webhook.objects.create(name="Stages", url=receiver.url, event_types=["stage_entered"])
    owner = make_member(Role.SDR)
    journey = make_journey(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        move_stage(journey, stage("qualification"), by=owner.user)
    run_worker()
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["event"] == "stage_entered"
    assert body["journey"]["stage"] == "qualification"


def test_recording_an_event_spends_no_query_on_webhooks_when_none_is_active(
    django_assert_num_queries,
):
    Webhook.objects.create(
        name="Paused", url="https://example.com/hook", event_types=["handoff_sent"], active=False
    )
    journey = make_journey()
    subscribed_event_types()  # the per-process cache, refreshed every few seconds
    with django_assert_num_queries(1):  # the event's INSERT, nothing else
        record_event(journey, EventKind.HANDOFF_SENT, by=None, occurred_at=None)
    assert not Delivery.objects.exists()


def test_an_event_nobody_subscribed_to_spends_no_query_on_webhooks(django_assert_num_queries):
    Webhook.objects.create(
        name="Handoffs", url="https://example.com/hook", event_types=["handoff_sent"]
    )
    journey = make_journey()
    subscribed_event_types()
    with django_assert_num_queries(1):
        record_event(journey, EventKind.NOTE_ADDED, by=None, occurred_at=None)
    with django_assert_num_queries(3):  # the event, the webhooks, the deliveries
        record_event(journey, EventKind.HANDOFF_SENT, by=None, occurred_at=None)
    assert Delivery.objects.count() == 1


def test_a_new_webhook_is_seen_at_once_by_this_process():
    journey = make_journey()
    assert "handoff_sent" not in subscribed_event_types()
    Webhook.objects.create(name="New", url="https://example.com/hook", event_types=["handoff_sent"])
    record_event(journey, EventKind.HANDOFF_SENT, by=None, occurred_at=None)
    assert Delivery.objects.count() == 1


def test_with_a_backend_that_cannot_defer_the_worker_sweep_sends_the_retry(
    receiver: Receiver, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    receiver.script = [502]
    Webhook.objects.create(name="Immediate", url=receiver.url, event_types=["handoff_sent"])
    hand_off(django_capture_on_commit_callbacks)
    assert receiver.answered == [502], "sent at commit, in the request"
    run_worker()
    assert receiver.answered == [502], "the retry waits for its time"
    make_retries_due()
    run_worker()
    assert receiver.answered == [502, 200]
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
