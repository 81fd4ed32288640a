"""`onethread serve` alone does the background work: its in-process worker
flags an overdue handoff and delivers the webhook, with no other process."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onethread.webhooks.signing import verify
from onethread.webhooks.tests.receiver import Receiver, running_receiver

# Run in the server's environment: a handoff a day old (past its 24 h SLA)
# and a webhook for overdue handoffs pointing at the test's receiver.
SETUP = """
import datetime as dt, json, os
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from onethread.handoffs.services import send_handoff
from onethread.journeys.models import Stage
from onethread.journeys.services import move_stage, open_journey_for_new_account
from onethread.team.models import Member, Role, Team
from onethread.webhooks.models import Webhook

team = Team.objects.create(name="Serve")
users = get_user_model().objects
sdr = Member.objects.create(user=users.create_user("sdr"), team=team, role=Role.SDR)
ae = Member.objects.create(user=users.create_user("ae"), team=team, role=Role.AE)
journey = open_journey_for_new_account("Initech", team=team, by=sdr.user, owner=sdr)
journey = move_stage(journey, Stage.objects.get(key="qualification"), by=sdr.user)
yesterday = timezone.now() - dt.timedelta(hours=25)
handoff = send_handoff(journey, by=sdr.user, to_stage=Stage.objects.get(key="closing"),
                       to_member=ae, override_reason="Urgent", at=yesterday)
webhook = Webhook.objects.create(name="Ops", url=os.environ["RECEIVER_URL"],
                                 event_types=["handoff_overdue"])
print(json.dumps({"secret": webhook.secret, "handoff": handoff.pk}))
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="Runs its own server on a SQLite file; once, in the SQLite run, is enough.",
    ),
]


def _onethread(*args: str) -> list[str]:
    return [sys.executable, "-m", "onethread", *args]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_post(receiver: Receiver, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if receiver.requests:
            return
        if process.poll() is not None:
            pytest.fail(f"The server exited:\n{log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"No webhook arrived within 30 s:\n{log.read_text()}")


def test_serve_runs_the_periodic_jobs_and_delivers_webhooks_in_process(tmp_path: Path):
    with running_receiver() as receiver:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "onethread.settings",
            "ONETHREAD_SECRET_KEY": "serve-test-secret-key-not-for-production",
            "ONETHREAD_DEBUG": "false",
            "RECEIVER_URL": receiver.url,
        }
        subprocess.run(_onethread("migrate", "--no-input", "-v", "0"), env=env, check=True)
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
        )
        created = json.loads(setup.stdout.strip().splitlines()[-1])
        log = tmp_path / "server.log"
        port = str(_free_port())
        with log.open("wb") as output:
            process = subprocess.Popen(
                _onethread("serve", "--port", port, "--workers", "1"),
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_post(receiver, process, log)
        finally:
            process.terminate()
            process.wait(timeout=30)

    [request] = receiver.requests
    assert verify(
        created["secret"],
        request.body,
        request.headers["X-Onethread-Signature"],
        now=int(time.time()),
    )
    body = json.loads(request.body)
    assert body["event"] == "handoff_overdue"
    assert body["data"]["handoff_id"] == created["handoff"]
