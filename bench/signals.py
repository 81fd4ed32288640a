"""Signal detection at scale: every detector over every open journey (the
scheduled full run) on 1,000,000 journeys and 20 million events, then the
incremental run after 10,000 new events, on SQLite.

    .venv/bin/python bench/signals.py [--journeys N] [--events N] [--new-events N] [--reuse]

A child process loads the page benchmark's data set (bench/pagedata: a
realistic company with needs, promises, interactions, tickets, deals and
value events) into a fresh SQLite file under var/bench/, unless --reuse finds
it already loaded (the signals of an earlier measurement are then removed
first); a second child process measures, so that its peak memory
(max RSS) is detection's own:

- full, first run: every detector over every open journey (the whole pass:
  no time budget), raising every signal found (the first scheduled run after
  installing signals);
- full, steady state: the same again, every condition already signalled
  (what every later scheduled run costs);
- the minutely incremental run that follows the full runs: it finds only
  their own signal_raised events and passes them (reported, not a target);
- incremental: NEW_EVENTS interactions logged on as many journeys, then the
  incremental run (only those journeys);
- the database alone (a third child, not a target): the rows the first run
  wrote, written again by the same bulk writer with nothing else to do, then
  rolled back; beside the steady-state run it shows how much of the first
  run no detector change can remove.

Targets: the full run under 60 s, the incremental under 2 s. The last line is
the JSON summary: {"bench": "signals", "figures", "targets", "met"}.
"""

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import peak_mb, remove_sqlite  # noqa: E402
from bench.pages import load_average, machine  # noqa: E402

SEED = 2026
TARGETS = {"full_s": 60.0, "incremental_s": 2.0}
RESULT = "RESULT "


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--new-events", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--child", choices=["load", "measure", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--after-event", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def database_path(args: argparse.Namespace) -> Path:
    return ROOT / "var" / "bench" / f"signals-{args.journeys}-{args.events}.sqlite3"


def setup_django(args: argparse.Namespace) -> None:
    harness.setup_django(f"sqlite:///{database_path(args)}")


def child_load(args: argparse.Namespace) -> dict[str, Any]:
    path = database_path(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        remove_sqlite(path)
    setup_django(args)
    from django.core.management import call_command

    from bench.pagedata.load import load
    from onethread.customers.models import Account

    call_command("migrate", verbosity=0, interactive=False)
    if args.reuse and Account.objects.count() == args.journeys:
        print("reusing the data already loaded (--reuse)", flush=True)
        return {"load_s": None}
    started = time.perf_counter()
    now = int(time.time())
    load(accounts=args.journeys, events=args.events, seed=SEED, now=now, log=print)
    return {"load_s": round(time.perf_counter() - started, 1), "now": now}


def new_interactions(count: int, now: dt.datetime) -> list[int]:
    """`count` interaction events on as many open journeys (spread evenly)."""
    from onethread.interactions.models import Interaction
    from onethread.journeys.models import EventKind, Journey, JourneyEvent

    ids = list(Journey.objects.filter(closed_at__isnull=True).values_list("pk", "stage_id"))
    step = max(len(ids) // count, 1)
    chosen = ids[::step][:count]
    Interaction.objects.bulk_create(
        Interaction(
            journey_id=pk, channel="call", direction="outbound", summary="Bench call",
            occurred_at=now, stage_id=stage_id,
        )
        for pk, stage_id in chosen
    )  # fmt: skip
    JourneyEvent.objects.bulk_create(
        JourneyEvent(
            journey_id=pk, kind=EventKind.INTERACTION_LOGGED, stage_id=stage_id,
            occurred_at=now, payload={"channel": "call", "summary": "Bench call"},
        )
        for pk, stage_id in chosen
    )  # fmt: skip
    return [pk for pk, _ in chosen]


def forget_signals() -> None:
    """With --reuse, the signals of an earlier measurement go, so that the
    first run is a first run again (their journey events stay: append-only)."""
    from django.db import connection

    from onethread.notifications.models import Notification
    from onethread.signals.models import Checkpoint, DetectorRun, FollowUp, Signal

    FollowUp.objects.all().delete()
    # Straight in SQL: the ORM's delete would load every signal first (some
    # 1.6 million after a first run), and count in this process's peak memory.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Signal._meta.db_table}")
    DetectorRun.objects.all().delete()
    Checkpoint.objects.all().delete()
    Notification.objects.filter(kind=Notification.Kind.SIGNAL).delete()
    # The deletions' write-ahead log (gigabytes) goes into the database now,
    # not during the first run's writes, which it slowed by minutes.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed_run(label: str, run: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    runs = run()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s", flush=True)
    # The full run goes by slices of journeys: one line per detector, summed.
    totals: dict[str, list[Any]] = {}
    for detector_run in runs:
        took = (detector_run.finished_at - detector_run.started_at).total_seconds()
        total = totals.setdefault(detector_run.detector, [set(), 0, 0.0])
        total[0].add(detector_run.status)
        total[1] += detector_run.raised
        total[2] += took
    for detector, (statuses, raised, took) in totals.items():
        status = "failed" if "failed" in statuses else "ok"
        print(f"  {detector:<22}{status:<8}{raised:>9,} raised {took:>7.2f} s", flush=True)
    return seconds, runs


def child_measure(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.utils import timezone

    from onethread.journeys.models import Journey, JourneyEvent
    from onethread.signals.models import Checkpoint, Signal
    from onethread.signals.runner import run_full, run_incremental

    now = timezone.now()
    forget_signals()
    figures: dict[str, Any] = {
        "journeys": Journey.objects.count(),
        "open_journeys": Journey.objects.filter(closed_at__isnull=True).count(),
        "events": JourneyEvent.objects.count(),
    }
    # Incremental detection starts from here: the events already loaded are
    # the full run's business.
    last = JourneyEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    Checkpoint.objects.update_or_create(name="incremental", defaults={"last_event_id": last})
    figures["events_before_first_run"] = last
    first_s, runs = timed_run("full run, first", lambda: run_full(now=now, budget_s=None))
    figures["full_first_s"] = round(first_s, 2)
    figures["signals_raised"] = Signal.objects.count()
    figures["detectors_failed"] = [run.detector for run in runs if run.status == "failed"]
    steady_s, _ = timed_run("full run, steady state", lambda: run_full(now=now, budget_s=None))
    figures["full_steady_s"] = round(steady_s, 2)
    # The minutely incremental run in between: it passes the full runs' own
    # signal_raised events once, as the schedule would before new events come.
    passing_s, _ = timed_run(
        "incremental over the full runs' own events",
        lambda: run_incremental(now=now, max_events=2 * args.new_events),
    )
    figures["incremental_own_events_s"] = round(passing_s, 2)
    new_interactions(args.new_events, now)
    before = Signal.objects.count()
    incremental_s, _ = timed_run(
        f"incremental after {args.new_events:,} new events",
        lambda: run_incremental(now=now, max_events=2 * args.new_events),
    )
    figures["incremental_s"] = round(incremental_s, 2)
    figures["incremental_raised"] = Signal.objects.count() - before
    figures["peak_mb"] = round(peak_mb())
    return figures


def child_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The database alone: the rows the first full run wrote (every signal,
    its signal_raised event, the notifications), read back as the driver
    gives them, removed and inserted again with the same bulk writer and
    nothing else to do, then rolled back. If this plus the steady-state run
    (detection alone) passes 60 s, no first run that writes these rows can
    meet the target, however fast the detectors' own work."""
    setup_django(args)
    from django.db import connection, transaction

    from onethread.imports.bulk import BulkTable
    from onethread.journeys.models import EventKind, JourneyEvent
    from onethread.notifications.models import Notification
    from onethread.signals.models import Signal
    from onethread.signals.raising import (
        EVENT_FIELDS,
        NOTIFICATION_FIELDS,
        RAISE_BATCH,
        SIGNAL_FIELDS,
    )

    def columns(model: Any, fields: list[str]) -> str:
        names = {field.attname: field.column for field in model._meta.concrete_fields}
        return ", ".join(f'"{names[name]}"' for name in fields)

    tables = [
        (Signal, SIGNAL_FIELDS, "1 = 1"),
        (
            JourneyEvent,
            EVENT_FIELDS,
            f"kind = '{EventKind.SIGNAL_RAISED}' AND id > {args.after_event}",
        ),
        (Notification, NOTIFICATION_FIELDS, f"kind = '{Notification.Kind.SIGNAL.value}'"),
    ]
    figures: dict[str, Any] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        rows = {}
        for model, fields, where in tables:
            table = model._meta.db_table
            cursor.execute(f"SELECT {columns(model, fields)} FROM {table} WHERE {where}")
            rows[model] = cursor.fetchall()
            cursor.execute(f"DELETE FROM {table} WHERE {where}")
        started = time.perf_counter()
        for model, fields, _ in tables:
            begun, writer, written = time.perf_counter(), BulkTable(model, fields), rows[model]
            for start in range(0, len(written), RAISE_BATCH):
                writer.insert(written[start : start + RAISE_BATCH], prepared=True)
            took = time.perf_counter() - begun
            name = model._meta.db_table
            figures[f"{name}_rows"] = len(written)
            figures[f"{name}_s"] = round(took, 2)
            print(f"  {name:<32}{len(written):>11,} rows {took:>8.2f} s", flush=True)
        figures["database_alone_s"] = round(time.perf_counter() - started, 2)
        print(f"the database alone, writing the first run's rows: {figures['database_alone_s']} s")
        transaction.set_rollback(True)
    return figures


def run_child(args: argparse.Namespace, step: str, *extra: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", step, "--journeys", str(args.journeys)]
    command += ["--events", str(args.events), "--new-events", str(args.new_events), *extra]
    if args.reuse:
        command.append("--reuse")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    result: dict[str, Any] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"The {step} step failed.")
    return result


def main() -> int:
    args = parse_args()
    if args.child:
        children = {"load": child_load, "measure": child_measure, "floor": child_floor}
        result = children[args.child](args)
        print(RESULT + json.dumps(result), flush=True)
        return 0
    print(f"machine: {machine()}")
    print(f"load average before: {load_average()}")
    print(f"== {args.journeys:,} journeys, {args.events:,} events (SQLite) ==", flush=True)
    figures = {**run_child(args, "load"), **run_child(args, "measure")}
    print("first run's writes again, the database alone (rolled back):", flush=True)
    floor = run_child(args, "floor", "--after-event", str(figures["events_before_first_run"]))
    figures["database_alone_first_s"] = floor.pop("database_alone_s")
    figures["database_alone_rows"] = floor
    figures["load_average_after"] = load_average()
    full = max(figures["full_first_s"], figures["full_steady_s"])
    met = (
        full < TARGETS["full_s"]
        and figures["incremental_s"] < TARGETS["incremental_s"]
        and not figures["detectors_failed"]
        and args.journeys >= 1_000_000
        and args.events >= 20_000_000
    )
    print(json.dumps({"bench": "signals", "figures": figures, "targets": TARGETS, "met": met}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
