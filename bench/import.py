"""Import speed: a generated CSV of 1,000,000 interactions imported with
`onethread import csv` into SQLite and into PostgreSQL, beside a baseline
measured in the same run (the same rows saved one by one through the
interaction service, log_interaction), and the whole Olist import.

    .venv/bin/python bench/import.py [--rows N] [--small N] [--baseline N]
                                     [--journeys N] [--databases sqlite,postgres]

The file (var/bench/interactions-N.csv, deterministic) refers to journeys the
bench creates first. Each measurement runs in a child process of its own on a
fresh database, removed afterwards (SQLite: a file under var/bench/;
PostgreSQL: `onethread_bench_import` on DATABASE_URL's server or
127.0.0.1:5432), so its peak memory (max RSS) is
its own: the import of --small rows and of --rows rows show whether memory
stays flat as the file grows.

Targets: at least 50,000 rows/s on SQLite, at least 20x the baseline on each
database, the Olist import under 15 s. The last line is the JSON summary:
{"bench": "import", "figures", "targets", "met"}.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import peak_mb, remove_sqlite, setup_django  # noqa: E402
from bench.pages import (  # noqa: E402
    fresh_postgres,
    load_average,
    machine,
    postgres_problem,
    postgres_url,
)

SEED = 2026
SYSTEM = "bench"
DATABASE_NAME = "onethread_bench_import"
TARGETS = {"sqlite_rows_per_s": 50_000, "times_baseline": 20, "olist_s": 15.0}
RESULT = "RESULT "
CHANNELS = ["Call", "Email", "Meeting", "Chat", "Event"]
WORDS = [
    *("pricing", "demo", "renewal", "onboarding", "contract", "security", "review", "budget"),
    *("timeline", "integration", "training", "champion", "feedback", "rollout", "invoice"),
    *("support", "upgrade", "pilot", "workshop", "roadmap"),
]
MAPPING = """\
system = "bench"
entity = "interaction"
id_column = "id"

[columns]
channel = "channel"
direction = "direction"
summary = "summary"
occurred_at = "occurred_at"

[references]
journey = "journey"
owner = { column = "rep", by = "email" }

[values.channel]
Call = "call"
Email = "email"
Meeting = "meeting"
Chat = "chat"
Event = "event"

[values.direction]
in = "inbound"
out = "outbound"

[dates]
formats = ["%Y-%m-%d %H:%M:%S"]
time_zone = "Europe/Paris"
"""


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    return parent(args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="the smaller import, for memory")
    parser.add_argument("--baseline", type=int, default=5_000, help="rows saved one by one")
    parser.add_argument("--journeys", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--task", choices=["import", "baseline", "floor", "olist"], help=argparse.SUPPRESS
    )
    parser.add_argument("--task-rows", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    return args


# The file ---------------------------------------------------------------------


def journey_id(number: int) -> str:
    return f"J{number:07d}"


def rep_email(number: int) -> str:
    return f"rep{number:02d}@bench.example"


def data_file(rows: int, journeys: int, reps: int) -> Path:
    """The deterministic CSV of `rows` interactions (made once, then reused)."""
    path = ROOT / "var" / "bench" / f"interactions-{rows}-{journeys}-{reps}.csv"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    random_ = random.Random(SEED)
    start = 1_640_995_200  # 2022-01-01 UTC
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "journey", "occurred_at", "channel", "direction", "summary", "rep"])
        for number in range(1, rows + 1):
            journey = random_.randrange(journeys)
            moment = time.gmtime(start + random_.randrange(2 * 365 * 86_400))
            summary = " ".join(random_.choices(WORDS, k=random_.randint(4, 12))).capitalize()
            writer.writerow(
                [
                    f"I{number:08d}",
                    journey_id(journey),
                    time.strftime("%Y-%m-%d %H:%M:%S", moment),
                    random_.choice(CHANNELS),
                    random_.choice(("in", "out")),
                    summary,
                    rep_email(journey % reps),
                ]
            )
    partial.rename(path)
    return path


def mapping_file() -> Path:
    path = ROOT / "var" / "bench" / "interactions.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MAPPING, encoding="utf-8")
    return path


# The parent -------------------------------------------------------------------


def parent(args: argparse.Namespace) -> int:
    print("Import speed: 1 million interactions, beside one-by-one saving and the Olist import")
    print(f"command: .venv/bin/python bench/import.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"machine: {machine()}")
    print(f"load average before: {load_average()}")
    started = time.perf_counter()
    for rows in (args.small, args.rows):
        data_file(rows, args.journeys, args.reps)
    print(f"data files ready in {time.perf_counter() - started:.1f} s (var/bench/)")
    figures: dict[str, Any] = {}
    for database in args.databases:
        if database == "postgres":
            problem = postgres_problem(postgres_url("postgres"))
            if problem:
                print(f"\nPostgreSQL: skipped, the server cannot be reached ({problem}).")
                continue
        runs = [
            ("import", args.small),
            ("import", args.rows),
            ("baseline", args.baseline),
            ("floor", args.rows),
            ("olist", 0),
        ]
        results = {}
        for task, rows in runs:
            result = run_child(database, task, rows, args)
            if result is None:
                return 1
            results[f"{task}_{rows}" if task == "import" else task] = result
        figures[database] = summarise(results, args)
    print(f"\nload average after: {load_average()}")
    print_table(figures, args)
    met = bool(figures) and met_targets(figures)
    print(json.dumps({"bench": "import", "figures": figures, "targets": TARGETS, "met": met}))
    return 0


def summarise(results: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    small, full = results[f"import_{args.small}"], results[f"import_{args.rows}"]
    baseline = results["baseline"]
    return {
        "rows": full["rows"],
        "rows_per_s": full["rows_per_s"],
        "seconds": full["seconds"],
        "peak_rss_mb": {
            f"{small['rows']}": small["peak_rss_mb"],
            f"{full['rows']}": full["peak_rss_mb"],
        },
        "import_growth_mb": {
            f"{small['rows']}": small["growth_mb"],
            f"{full['rows']}": full["growth_mb"],
        },
        "cpu_s": full["cpu_s"],
        "small_rows_per_s": small["rows_per_s"],
        "database_alone_rows_per_s": results["floor"]["rows_per_s"],
        "database_alone_least_rows_per_s": results["floor"].get("least_rows_per_s"),
        "baseline_rows_per_s": baseline["rows_per_s"],
        "baseline_rows": baseline["rows"],
        "times_baseline": round(full["rows_per_s"] / baseline["rows_per_s"], 1),
        "olist_s": results["olist"].get("seconds"),
    }


def met_targets(figures: dict[str, Any]) -> bool:
    fine = True
    if "sqlite" in figures:
        fine &= figures["sqlite"]["rows_per_s"] >= TARGETS["sqlite_rows_per_s"]
    for result in figures.values():
        fine &= result["times_baseline"] >= TARGETS["times_baseline"]
        fine &= result["olist_s"] is not None and result["olist_s"] < TARGETS["olist_s"]
    return bool(fine)


def run_child(
    database: str, task: str, rows: int, args: argparse.Namespace
) -> dict[str, Any] | None:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", database, "--task", task]
    command += ["--task-rows", str(rows), "--rows", str(args.rows), "--small", str(args.small)]
    command += ["--journeys", str(args.journeys), "--reps", str(args.reps)]
    result = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RESULT):
                result = json.loads(line[len(RESULT) :])
            else:
                print(line, end="", flush=True)
    if process.returncode != 0 or result is None:
        print(f"The {database} {task} run failed (exit {process.returncode}).")
        return None
    return result


def print_table(figures: dict[str, Any], args: argparse.Namespace) -> None:
    small, full = f"{args.small}", f"{args.rows}"
    print()
    heads = f"{'import (rows/s)':>26}{'RSS growth (MB)':>22}{'one by one':>12}{'x':>7}"
    print(f"{'':<11}{heads}{'db alone':>10}{'least':>9}{'Olist':>8}")
    print(
        f"{'database':<11}{args.small:>13,}{args.rows:>13,}{args.small:>11,}{args.rows:>11,}"
        f"{'(rows/s)':>12}{'':>7}{'(rows/s)':>10}{'(rows/s)':>9}{'(s)':>8}"
    )
    for database, result in figures.items():
        growth = result["import_growth_mb"]
        olist = f"{result['olist_s']:.1f}" if result["olist_s"] is not None else "n/a"
        least = result["database_alone_least_rows_per_s"]
        least_text = f"{least:,}" if least is not None else "n/a"
        print(
            f"{database:<11}{result['small_rows_per_s']:>13,}{result['rows_per_s']:>13,}"
            f"{growth[small]:>11,.0f}{growth[full]:>11,.0f}{result['baseline_rows_per_s']:>12,}"
            f"{result['times_baseline']:>7.1f}{result['database_alone_rows_per_s']:>10,}"
            f"{least_text:>9}{olist:>8}"
        )
    print("RSS growth: the import process's peak memory less its memory before the import.")
    print(
        f"db alone: the same {args.rows:,} interactions' rows, built beforehand, inserted with"
        " no other work (then rolled back);"
    )
    print(
        "least: the same, SQLite only, with only the interaction and its event and without the"
        " event's (journey, kind) index."
    )
    print(
        f"targets: >= {TARGETS['sqlite_rows_per_s']:,} rows/s on SQLite, >= "
        f"{TARGETS['times_baseline']}x the one-by-one baseline, Olist < {TARGETS['olist_s']:.0f} s"
    )


# The child: one database, one measurement --------------------------------------


def fresh_sqlite(task: str) -> str:
    path = ROOT / "var" / "bench" / f"import-{task}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_sqlite(path)
    return f"sqlite:///{path}"


def child(args: argparse.Namespace) -> int:
    title = "SQLite" if args.child == "sqlite" else "PostgreSQL"
    label = f"{args.task_rows:,} rows" if args.task == "import" else args.task
    print(f"\n== {title}: {args.task} ({label}) ==", flush=True)
    url = (
        fresh_sqlite(args.task)
        if args.child == "sqlite"
        else fresh_postgres(DATABASE_NAME, reuse=False)
    )
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    tasks = {
        "import": measure_import,
        "baseline": measure_baseline,
        "floor": measure_floor,
        "olist": measure_olist,
    }
    result = tasks[args.task](args)
    remove_database(args.child, url)
    print(RESULT + json.dumps(result), flush=True)
    return 0


def remove_database(database: str, url: str) -> None:
    """A measured database is not kept: each measurement starts from a fresh one."""
    from django.db import connections

    connections.close_all()
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def create_journeys(count: int, reps: int) -> list[Any]:
    """The journeys the file refers to, with their external ids, and the reps
    (members) its rows name, written in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from onethread.customers.models import Account
    from onethread.imports.bulk import BulkTable, allocate_ids
    from onethread.imports.models import ExternalRecord
    from onethread.journeys.models import Journey, Stage
    from onethread.journeys.stages import install_default_stages
    from onethread.team.models import Member, Role, Team

    now = timezone.now()
    with transaction.atomic():
        install_default_stages(Stage)
        lead = Stage.objects.get(key="lead")
        team = Team.objects.create(name="Bench")
        users = get_user_model()
        members = []
        for number in range(reps):
            user = users.objects.create_user(username=f"rep{number:02d}", email=rep_email(number))
            members.append(Member.objects.create(user=user, team=team, role=Role.SDR))
        account_ids = list(allocate_ids(Account, count))
        journey_ids = list(allocate_ids(Journey, count))
        opened = now - __import__("datetime").timedelta(days=800)
        BulkTable(
            Account, ["id", "name", "domain", "segment", "attributes", "created_at", "version"]
        ).insert(
            (account_id, f"Bench account {n}", "", "", {}, opened, 1)
            for n, account_id in enumerate(account_ids)
        )
        BulkTable(
            Journey,
            [
                "id",
                "account_id",
                "team_id",
                "stage_id",
                "owner_id",
                "source",
                "opened_at",
                "stage_entered_at",
                "outcome_reason",
                "attributes",
                "version",
            ],
        ).insert(
            (
                journey,
                account,
                team.pk,
                lead.pk,
                members[n % reps].pk,
                "bench",
                opened,
                opened,
                "",
                {},
                1,
            )
            for n, (account, journey) in enumerate(zip(account_ids, journey_ids, strict=True))
        )
        BulkTable(
            ExternalRecord, ["system", "kind", "external_id", "object_id", "digest", "imported_at"]
        ).insert(
            (SYSTEM, "journey", journey_id(n), journey, "", now)
            for n, journey in enumerate(journey_ids)
        )
    return members


def measure_import(args: argparse.Namespace) -> dict[str, Any]:
    from onethread.imports.csv_import import file_source, import_csv
    from onethread.imports.mapping import load_mapping

    create_journeys(args.journeys, args.reps)
    path = data_file(args.task_rows, args.journeys, args.reps)
    mapping = load_mapping(mapping_file())
    before = current_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    report = import_csv([file_source(mapping, path)])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not report.committed or report.errors:
        print("\n".join(report.summary_lines()))
        raise SystemExit("the import did not commit")
    peak = peak_mb()
    rate = args.task_rows / seconds
    count = report.created["interactions"]
    print(f"imported {count:,} interactions in {seconds:.1f} s ({rate:,.0f} rows/s)")
    print(f"CPU time of the import process: {cpu:.1f} s")
    print(f"memory (RSS): {before:,.0f} MB before the import, {peak:,.0f} MB at its peak")
    return {
        "rows": args.task_rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(args.task_rows / seconds),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak, 1),
        "growth_mb": round(peak - before, 1),
    }


def measure_baseline(args: argparse.Namespace) -> dict[str, Any]:
    """The same rows, saved one by one through the service the web page uses."""
    from onethread.imports.files import open_table
    from onethread.imports.mapping import load_mapping
    from onethread.imports.values import parse_moment
    from onethread.interactions.services import log_interaction
    from onethread.journeys.models import Journey

    members = create_journeys(args.journeys, args.reps)
    mapping = load_mapping(mapping_file())
    path = data_file(args.small, args.journeys, args.reps)
    journeys = {journey_id(n): journey for n, journey in enumerate(Journey.objects.order_by("id"))}
    reps = {member.user.email: member.user for member in members}
    channels = {key.lower(): value for key, value in mapping.values["channel"].items()}
    directions = mapping.values["direction"]
    table = open_table(path)
    rows = [row for _, row in zip(range(args.task_rows), table.rows, strict=False)]
    started = time.perf_counter()
    for row in rows:
        values = row.values
        log_interaction(
            journeys[values["journey"] or ""],
            channel=channels[(values["channel"] or "").lower()],
            direction=directions[values["direction"] or ""],
            summary=values["summary"] or "",
            by=reps[values["rep"] or ""],
            occurred_at=parse_moment(values["occurred_at"] or "", mapping.formats, mapping.zone).at,
        )
    seconds = time.perf_counter() - started
    rate = len(rows) / seconds
    print(f"saved {len(rows):,} interactions one by one in {seconds:.1f} s ({rate:,.0f} rows/s)")
    return {
        "rows": len(rows),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(rows) / seconds),
    }


def measure_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The database alone: the rows an import of the file writes (each
    interaction, its event, its external id), built beforehand and inserted
    with nothing else to do, with the import's page cache, then rolled back.
    The import's time beyond this is its own work: reading, checking, matching.

    On SQLite, also the least the database could do: the interaction and its
    event only (no external id row), without the event's (journey, kind)
    index (dropped inside the transaction, so the rollback puts it back):
    what is left of the target's 20 µs per row for all the import's own work
    (reading, checking, matching) if an interaction kept its event."""
    from django.db import connection, transaction

    from onethread.imports.csv_import import _references_checked_here, _sqlite_page_cache

    create_journeys(args.journeys, args.reps)
    interactions, events, records = floor_rows(args)
    result: dict[str, Any] = {"rows": len(interactions)}
    with _references_checked_here(), _sqlite_page_cache():
        with transaction.atomic():
            seconds = insert_floor(interactions, events, records)
            transaction.set_rollback(True)
        result["seconds"] = round(seconds, 2)
        result["rows_per_s"] = round(len(interactions) / seconds)
        print(
            f"the database alone: {len(interactions):,} interactions (3 rows each) inserted in "
            f"{seconds:.1f} s ({len(interactions) / seconds:,.0f} rows/s, "
            f"{seconds / len(interactions) * 1e6:.1f} µs per row)"
        )
        if connection.vendor == "sqlite":
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for index in LEAST_INDEXES_DROPPED:
                        cursor.execute(f'DROP INDEX IF EXISTS "{index}"')
                seconds = insert_floor(interactions, events, [])
                transaction.set_rollback(True)
            result["least_rows_per_s"] = round(len(interactions) / seconds)
            result["least_us_per_row"] = round(seconds / len(interactions) * 1e6, 1)
            print(
                f"the database alone, least possible (interaction + event, fewest indexes): "
                f"{seconds:.1f} s ({len(interactions) / seconds:,.0f} rows/s, "
                f"{seconds / len(interactions) * 1e6:.1f} µs per row)"
            )
    return result


# The index the least-possible floor drops (the rollback restores it).
LEAST_INDEXES_DROPPED = ["event_journey_kind_idx"]


def floor_rows(args: argparse.Namespace) -> tuple[list[Any], list[Any], list[Any]]:
    """The rows an import of the --task-rows file writes, ready for the driver,
    each journey's together (as the import orders them)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from onethread.imports.bulk import allocate_ids, driver_value
    from onethread.imports.csv_bulk import logged_json
    from onethread.imports.files import open_table
    from onethread.imports.mapping import load_mapping
    from onethread.imports.models import ExternalRecord
    from onethread.interactions.models import Interaction
    from onethread.journeys.models import Stage
    from onethread.team.models import Member

    mapping = load_mapping(mapping_file())
    journeys = dict(
        ExternalRecord.objects.filter(system=SYSTEM).values_list("external_id", "object_id")
    )
    users = dict(Member.objects.values_list("user__email", "user_id"))
    stage = Stage.objects.get(key="lead").pk
    to_time = driver_value(Interaction._meta.get_field("occurred_at"))
    channels = {key.lower(): value for key, value in mapping.values["channel"].items()}
    directions, now = mapping.values["direction"], to_time(timezone.now())
    parsed = []
    for row in open_table(data_file(args.task_rows, args.journeys, args.reps)).rows:
        values = row.values
        at = dt.datetime.fromisoformat(values["occurred_at"] or "").replace(tzinfo=mapping.zone)
        parsed.append(
            (
                journeys[values["journey"] or ""],
                at,
                users[values["rep"] or ""],
                channels[(values["channel"] or "").lower()],
                directions[values["direction"] or ""],
                values["summary"] or "",
                values["id"] or "",
            )
        )
    parsed.sort(key=lambda row: (row[0], row[1]))
    with transaction.atomic():
        ids = allocate_ids(Interaction, len(parsed))
    interactions, events, records = [], [], []
    for (journey, at, user, channel, direction, summary, external), interaction_id in zip(
        parsed, ids, strict=True
    ):
        moment = to_time(at)
        interactions.append(
            (interaction_id, journey, channel, direction, summary, moment, stage, user)
        )
        payload = logged_json(interaction_id, channel, direction, summary, [])
        events.append((journey, "interaction_logged", stage, user, moment, now, payload))
        records.append((SYSTEM, "interaction", external, interaction_id, "0" * 32, now))
    return interactions, events, records


def insert_floor(interactions: list[Any], events: list[Any], records: list[Any]) -> float:
    """Seconds to insert the rows as the import does (its bulk writer, batch by batch)."""
    from onethread.imports.bulk import BulkTable
    from onethread.imports.models import ExternalRecord
    from onethread.interactions.models import Interaction
    from onethread.journeys.models import JourneyEvent

    fields = ["id", "journey_id", "channel", "direction", "summary", "occurred_at", "stage_id"]
    event_fields = ["journey_id", "kind", "stage_id", "actor_id", "occurred_at", "recorded_at"]
    record_fields = ["system", "kind", "external_id", "object_id", "digest", "imported_at"]
    tables = [
        (BulkTable(Interaction, [*fields, "logged_by_id"]), interactions),
        (BulkTable(JourneyEvent, [*event_fields, "payload"]), events),
        (BulkTable(ExternalRecord, record_fields), records),
    ]
    started = time.perf_counter()
    for start in range(0, len(interactions), FLOOR_BATCH):
        for table, rows in tables:
            if rows:
                table.insert(rows[start : start + FLOOR_BATCH], prepared=True)
    return time.perf_counter() - started


FLOOR_BATCH = 5000  # the interaction writer's batch


def measure_olist(args: argparse.Namespace) -> dict[str, Any]:
    from onethread.imports.olist import import_olist
    from onethread.imports.tests.olist_data import OLIST_DIR

    if not (OLIST_DIR / "olist_closed_deals_dataset.csv").is_file():
        print(f"the Olist data is not at {OLIST_DIR}: skipped")
        return {"seconds": None}
    started = time.perf_counter()
    report = import_olist(OLIST_DIR)
    seconds = time.perf_counter() - started
    if not report.committed:
        raise SystemExit("the Olist import did not commit")
    print(f"imported the Olist data in {seconds:.1f} s ({report.rows_read:,} rows read)")
    return {"seconds": round(seconds, 2), "rows": report.rows_read}


if __name__ == "__main__":
    sys.exit(main())
