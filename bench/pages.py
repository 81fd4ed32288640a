"""Page speed at scale: the server time of the journey board and the account
thread at 100,000 accounts and 5 million journey events, on SQLite and on
PostgreSQL, beside a baseline of the demo's size measured in the same run.

    .venv/bin/python bench/pages.py [--accounts N] [--events N] [--requests N]
                                    [--databases sqlite,postgres] [--reuse]

For each database and size, a child process points DATABASE_URL at a fresh
database (SQLite: a file under var/bench/; PostgreSQL: `onethread_bench`, or
`onethread_bench_baseline`, dropped and recreated on DATABASE_URL's server or
127.0.0.1:5432), migrates, bulk-loads the data set (bench/pagedata), then
times requests in-process with Django's test client, logged in with
force_login: the time from the client call to the response is the server's
work without the network. `--reuse` keeps a database already loaded with the
same number of accounts (migrations still run), to re-measure after a change.

Target: p95 under 50 ms for both pages at full size on every database measured.
The last line is the JSON summary: {"bench": "pages", "figures", "targets", "met"}.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import remove_sqlite, setup_django  # noqa: E402

BASELINE = (500, 25_000)
TARGET_P95_MS = 50.0
SEED = 2026
WARMUP = 20
DATABASE_NAMES = {"full": "onethread_bench", "baseline": "onethread_bench_baseline"}
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
PAGES = (
    ("board_admin", "board, admin"),
    ("board_specialist", "board, specialist"),
    ("account_admin", "account, admin"),
    ("account_specialist", "account, specialist"),
)
RESULT = "RESULT "


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    return parent(args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--size", choices=["full", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    return args


# The parent: one child per database and size, then the table -----------------


def parent(args: argparse.Namespace) -> int:
    print("Page speed: the board and the account thread at scale")
    print(f"command: .venv/bin/python bench/pages.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"machine: {machine()}")
    print(f"load average before: {load_average()}")
    sizes = {"baseline": BASELINE, "full": (args.accounts, args.events)}
    figures: dict[str, Any] = {}
    for database in args.databases:
        if database == "postgres":
            problem = postgres_problem(postgres_url("postgres"))
            if problem:
                print(f"\nPostgreSQL: skipped, the server cannot be reached ({problem}).")
                continue
        figures[database] = {}
        for size, (accounts, events) in sizes.items():
            result = run_child(database, size, accounts, events, args)
            if result is None:
                return 1
            figures[database][size] = result
    print(f"\nload average after: {load_average()}")
    print_table(figures)
    met = bool(figures) and all(
        page["p95_ms"] < TARGET_P95_MS
        for by_size in figures.values()
        for page in by_size["full"]["pages"].values()
    )
    summary = {
        "bench": "pages",
        "figures": figures,
        "targets": {"p95_ms": TARGET_P95_MS},
        "met": met,
    }
    print(json.dumps(summary))
    return 0


def run_child(
    database: str, size: str, accounts: int, events: int, args: argparse.Namespace
) -> dict[str, Any] | None:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", database]
    command += ["--size", size, "--accounts", str(accounts), "--events", str(events)]
    command += ["--requests", str(args.requests)] + (["--reuse"] if args.reuse else [])
    result = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RESULT):
                result = json.loads(line[len(RESULT) :])
            else:
                print(line, end="", flush=True)
    if process.returncode != 0 or result is None:
        print(f"The {database} {size} run failed (exit {process.returncode}).")
        return None
    return result


def print_table(figures: dict[str, Any]) -> None:
    """Page x database x size. CPU: this process's median CPU time per request
    (on SQLite it includes the database's work). SQL: the queries of the
    heaviest request, each run again alone; the rest of CPU time is Python."""
    print()
    print(
        f"{'page':<21}{'database':<10}{'accounts / events':<21}{'median':>8}{'p95':>8}"
        f"{'max':>8}{'queries':>8}{'CPU':>8}{'SQL':>8}"
    )
    for key, label in PAGES:
        for database, by_size in figures.items():
            for result in (by_size["baseline"], by_size["full"]):
                page = result["pages"][key]
                size = f"{result['accounts']:,} / {result['events']:,}"
                print(
                    f"{label:<21}{database:<10}{size:<21}{page['median_ms']:>8.1f}"
                    f"{page['p95_ms']:>8.1f}{page['max_ms']:>8.1f}{page['queries']:>8}"
                    f"{page['cpu_median_ms']:>8.1f}{page['sql_ms']:>8.1f}"
                )
    print(f"times in ms; target: p95 under {TARGET_P95_MS:.0f} ms for every page at full size")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    disk = shutil.disk_usage(ROOT)
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} GB RAM, {disk.total // 1024**3} GB disk "
        f"({disk.free // 1024**3} GB free); Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


# Databases ------------------------------------------------------------------


def postgres_url(database: str) -> str:
    """The server of DATABASE_URL when it is PostgreSQL, else the local one."""
    configured = os.environ.get("DATABASE_URL", "")
    base = configured if configured.startswith(("postgres://", "postgresql://")) else LOCAL_POSTGRES
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def postgres_problem(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def maintenance_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured
    return LOCAL_POSTGRES


def fresh_postgres(name: str, *, reuse: bool) -> str:
    import psycopg

    with psycopg.connect(maintenance_url(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def fresh_sqlite(accounts: int, events: int, *, reuse: bool) -> str:
    path = ROOT / "var" / "bench" / f"pages-{accounts}-{events}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not reuse:
        remove_sqlite(path)
    return f"sqlite:///{path}"


# The child: one database, one size --------------------------------------------


def child(args: argparse.Namespace) -> int:
    title = "SQLite" if args.child == "sqlite" else "PostgreSQL"
    print(f"\n== {title}, {args.accounts:,} accounts, {args.events:,} events ({args.size}) ==")
    if args.child == "sqlite":
        url = fresh_sqlite(args.accounts, args.events, reuse=args.reuse)
    else:
        url = fresh_postgres(DATABASE_NAMES[args.size], reuse=args.reuse)
    setup_django(url)
    from bench.pagedata.measure import prepare_and_measure

    result = prepare_and_measure(
        accounts=args.accounts,
        events=args.events,
        requests=args.requests,
        warmup=WARMUP,
        seed=SEED,
        reuse=args.reuse,
        log=lambda line: print(line, flush=True),
    )
    print(RESULT + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
