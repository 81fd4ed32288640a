"""A real `onethread serve` in a subprocess, on a database of its own, for the
tests that need real concurrent connections (the SQLite soak, the race to
accept a handoff). The test talks to it over HTTP on 127.0.0.1."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

HOST = "127.0.0.1"
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def onethread(*args: str) -> list[str]:
    return [sys.executable, "-m", "onethread", *args]


def server_env(database_url: str) -> dict[str, str]:
    """The environment of a production-mode onethread on `database_url`."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "onethread.settings",
        "ONETHREAD_SECRET_KEY": "server-test-secret-key-not-for-production",
        "ONETHREAD_DEBUG": "false",
    }


def run_script(script: str, env: dict[str, str]) -> Any:
    """Run Python in the server's environment; the JSON it prints last is the answer."""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"The set-up script failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_until_serving(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"The server did not answer within {START_SECONDS} s:\n{log.read_text()}")


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[int]:
    """Serve onethread in `env` on a free port until the block ends; yields the port."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            onethread("serve", "--host", HOST, "--port", str(port)),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(port, process, log)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@contextmanager
def throwaway_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of `url`, dropped after
    the block; yields its URL."""
    import psycopg

    name = f"onethread_server_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server_database(tmp_path: Path) -> Iterator[str]:
    """A database for a server subprocess, of the kind the suite runs on: a
    throwaway database on the same PostgreSQL server when DATABASE_URL is
    PostgreSQL, else an SQLite file under tmp_path."""
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres(url):
        with throwaway_postgres_database(url) as database_url:
            yield database_url
    else:
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
