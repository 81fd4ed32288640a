"""SQLite under concurrent writes: 16 clients log interactions through the
API of a real server for ONETHREAD_SOAK_SECONDS (default 30). Nothing may
fail with "database is locked", and every accepted write must be in the
journey event log exactly once."""

import http.client
import json
import os
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from onethread.api.tests.serverprocess import HOST, onethread, run_script, server_env, serving

CLIENTS = 16
SOAK_SECONDS = float(os.environ.get("ONETHREAD_SOAK_SECONDS", "30"))

# Run in the server's environment: a member, four journeys, a token.
SETUP = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from onethread.api.models import ApiToken
from onethread.journeys.services import open_journey_for_new_account
from onethread.team.models import Member, Role, Team

team = Team.objects.create(name="Soak")
user = get_user_model().objects.create_user("soak")
member = Member.objects.create(user=user, team=team, role=Role.AE)
journeys = [
    open_journey_for_new_account(f"Soak {n}", team=team, by=user, owner=member).pk
    for n in range(4)
]
_token, key = ApiToken.issue(user, "soak test")
print(json.dumps({"key": key, "journeys": journeys}))
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="This soak is about SQLite under concurrent writes; DATABASE_URL is PostgreSQL.",
    ),
]


@dataclass
class Server:
    port: int
    key: str
    journeys: list[int]
    database: Path
    log: Path


@dataclass
class Results:
    responses: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def created_ids(self) -> list[int]:
        return [json.loads(body)["id"] for status, body in self.responses if status == 201]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    database = tmp_path / "soak.sqlite3"
    env = server_env(f"sqlite:///{database}")
    subprocess.run(onethread("migrate", "--no-input", "-v", "0"), env=env, check=True)
    created = run_script(SETUP, env)
    log = tmp_path / "server.log"
    with serving(env, log) as port:
        yield Server(port, created["key"], created["journeys"], database, log)


def _client(number: int, server: Server, deadline: float, results: Results) -> None:
    headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
    sent = 0
    while time.monotonic() < deadline:
        journey = server.journeys[(number + sent) % len(server.journeys)]
        body = {"channel": "call", "direction": "outbound", "summary": f"Call {number}.{sent}"}
        try:
            connection.request(
                "POST", f"/api/v1/journeys/{journey}/interactions", json.dumps(body), headers
            )
            response = connection.getresponse()
            results.responses.append((response.status, response.read().decode()))
        except (OSError, http.client.HTTPException) as error:
            results.responses.append((0, f"no response: {error!r}"))
            connection.close()
            connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
        sent += 1
    connection.close()


def _soak(server: Server) -> Results:
    results = Results()
    started = time.monotonic()
    deadline = started + SOAK_SECONDS
    threads = [
        threading.Thread(target=_client, args=(number, server, deadline, results))
        for number in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.seconds = time.monotonic() - started
    return results


def _logged_events(database: Path) -> Counter[int]:
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT json_extract(payload, '$.interaction_id') FROM journeys_journeyevent "
            "WHERE kind = 'interaction_logged'"
        ).fetchall()
    return Counter(row[0] for row in rows)


def _stored_interactions(database: Path) -> set[int]:
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT id FROM interactions_interaction").fetchall()
    return {row[0] for row in rows}


def test_sixteen_clients_writing_at_once_lose_nothing_and_never_see_a_lock(
    server: Server, record_property: Callable[[str, object], None]
) -> None:
    results = _soak(server)
    statuses = Counter(status for status, _body in results.responses)
    created = results.created_ids
    throughput = (
        f"SQLite soak: {CLIENTS} clients, {len(created)} interactions created in "
        f"{results.seconds:.1f} s = {len(created) / results.seconds:.0f} writes/s; "
        f"statuses {dict(statuses)}"
    )
    record_property("figure", throughput)

    assert created, throughput
    assert set(statuses) == {201}, throughput
    assert not [body for _status, body in results.responses if "database is locked" in body]
    assert "database is locked" not in server.log.read_text()
    events = _logged_events(server.database)
    assert _stored_interactions(server.database) == set(created)
    assert all(events[interaction_id] == 1 for interaction_id in created)
    assert sum(events.values()) == len(created)
