"""Two members accept the same handoff at the same moment, over HTTP, against
a real server with its own database connections: exactly one succeeds, the
other is told who accepted it first, and the journey moves once.

It runs on the database the suite runs on: an SQLite file, or a throwaway
database on the PostgreSQL server of DATABASE_URL."""

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from onethread.api.tests.serverprocess import HOST, run_script, server_database, server_env, serving

RACES = 5

pytestmark = pytest.mark.slow

# Run in the server's environment: migrate, then a team whose SDR has sent
# RACES journeys to Alex; Nina (their manager) and Maya (an AE like Alex) may
# answer them too. One token each.
SETUP = f"""
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
from onethread.api.models import ApiToken
from onethread.handoffs.services import send_handoff
from onethread.journeys.models import Stage
from onethread.journeys.services import move_stage, open_journey_for_new_account
from onethread.team.models import Member, Role, Team

team = Team.objects.create(name="Race")
members = {{}}
for username, role, first, last in [
    ("sam", Role.SDR, "Sam", "Lee"),
    ("alex", Role.AE, "Alex", "Kim"),
    ("maya", Role.AE, "Maya", "Ng"),
    ("nina", Role.MANAGER, "Nina", "Berg"),
]:
    user = get_user_model().objects.create_user(username, first_name=first, last_name=last)
    members[username] = Member.objects.create(user=user, team=team, role=role)
sam = members["sam"]
qualification = Stage.objects.get(key="qualification")
closing = Stage.objects.get(key="closing")
handoffs = []
for number in range({RACES}):
    journey = open_journey_for_new_account(f"Race {{number}}", team=team, by=sam.user, owner=sam)
    journey = move_stage(journey, qualification, by=sam.user)
    handoff = send_handoff(
        journey, by=sam.user, to_stage=closing, to_member=members["alex"],
        override_reason="Racing",
    )
    handoffs.append({{"id": handoff.pk, "journey": journey.pk, "version": handoff.version}})
keys = {{name: ApiToken.issue(m.user, "race")[1] for name, m in members.items()}}
print(json.dumps({{"keys": keys, "handoffs": handoffs}}))
"""


@dataclass
class Server:
    port: int
    keys: dict[str, str]
    handoffs: list[dict[str, int]]

    def call(self, who: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            return _send(connection, self.keys[who], method, path, body)
        finally:
            connection.close()


def _send(
    connection: http.client.HTTPConnection, key: str, method: str, path: str, body: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    payload = None if body is None else json.dumps(body)
    connection.request(method, f"/api/v1{path}", payload, headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with server_database(tmp_path) as database_url:
        env = server_env(database_url)
        created = run_script(SETUP, env)
        with serving(env, tmp_path / "server.log") as port:
            yield Server(port, created["keys"], created["handoffs"])


@dataclass
class Race:
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    # When each racer sent its request and when its answer came back.
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def overlapped(self) -> bool:
        """Both requests were in flight at once."""
        starts, ends = zip(*self.spans.values(), strict=True)
        return max(starts) < min(ends)


def race(server: Server, handoff_id: int, racers: tuple[str, str]) -> Race:
    """Both racers POST accept the moment a barrier lets them go, each on a
    connection opened beforehand."""
    barrier = threading.Barrier(len(racers))
    result = Race()

    def accept(who: str) -> None:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
        connection.connect()
        path = f"/handoffs/{handoff_id}/accept"
        try:
            barrier.wait(timeout=30)
            started = time.monotonic()
            result.answers[who] = _send(connection, server.keys[who], "POST", path, {"rating": 4})
            result.spans[who] = (started, time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(who,)) for who in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return result


def events_since_sent(server: Server, journey_id: int) -> list[dict[str, Any]]:
    """The journey's events after its handoff was sent, oldest first."""
    status, page = server.call("nina", "GET", f"/journeys/{journey_id}/timeline?limit=200")
    assert status == 200, page
    events = list(reversed(page["items"]))
    kinds = [event["kind"] for event in events]
    assert kinds.count("handoff_sent") == 1
    return events[kinds.index("handoff_sent") + 1 :]


def test_two_members_accepting_at_once_one_wins_the_other_is_told_who(
    server: Server, record_property: Callable[[str, object], None]
) -> None:
    names = {"alex": "Alex Kim", "maya": "Maya Ng", "nina": "Nina Berg"}
    pairs = [("alex", "nina"), ("alex", "maya"), ("maya", "nina")]
    overlapped = 0
    for number, handoff in enumerate(server.handoffs):
        racers = pairs[number % len(pairs)]
        result = race(server, handoff["id"], racers)
        answers = result.answers
        overlapped += result.overlapped

        assert sorted(status for status, _body in answers.values()) == [200, 409], answers
        (winner,) = [who for who, (status, _body) in answers.items() if status == 200]
        (loser,) = [who for who, (status, _body) in answers.items() if status == 409]
        accepted = answers[winner][1]
        assert accepted["status"] == "accepted"
        assert accepted["response"]["responded_by"]["name"] == names[winner]
        conflict = answers[loser][1]["detail"]
        assert conflict.startswith(f"This handoff was already accepted by {names[winner]}"), (
            conflict
        )
        assert conflict.endswith("nothing was changed.")

        status, stored = server.call("nina", "GET", f"/handoffs/{handoff['id']}")
        assert (status, stored["status"]) == (200, "accepted")
        assert stored["response"]["responded_by"]["name"] == names[winner]
        assert stored["version"] == handoff["version"] + 1
        events = events_since_sent(server, handoff["journey"])
        assert [event["kind"] for event in events] == [
            "handoff_accepted",
            "stage_entered",
            "owner_changed",
        ]
        assert events[0]["payload"]["handoff_id"] == handoff["id"]
        assert events[1]["payload"] == {"from": "qualification", "to": "closing"}
        status, journey = server.call("nina", "GET", f"/journeys/{handoff['journey']}")
        assert journey["stage"]["key"] == "closing"
        # A manager accepting leaves the named receiver the owner.
        owner = "alex" if winner == "nina" else winner
        assert journey["owner"]["name"] == names[owner]

    record_property("figure", f"Accept race: {overlapped} of {RACES} races had both in flight.")
    assert overlapped, "No race had both requests in flight at once: nothing was proved."
    status, told = server.call("sam", "GET", "/notifications?limit=200")
    accepted_notes = [note for note in told["items"] if note["kind"] == "handoff_accepted"]
    assert len(accepted_notes) == RACES
