"""Insights at scale: 1,000,000 journeys with 20,000,000 events (seeded), and
on that same data, in one run:

- a full recompute of every metric: derive.py over the events (visits,
  journeys, monthly value) then registry.compute_all (DuckDB over arrow),
  its time and peak memory;
- the baseline: the same derivation and the bow-tie and after-the-sale
  metrics written straightforwardly in pandas (bench/insightsdata/baseline.py),
  with a check that both give the same figures; the speed-up is measured on
  those metrics only (the baseline does not have the others);
- a SQLite database loaded with the journeys, the events and the aggregates
  (set-up time reported); the dashboards' columnar copy loaded and prepared
  as a web process does at start, 10,000 new events, the incremental refresh
  and the copy following it (as each web process's background thread does);
- the dashboards in a fresh process after that refresh, as `onethread serve`
  runs one: the copy loaded in the background (time until ready), then every
  view computed the first time (p50/p95: the target), then the same views
  again from the results cache, through Django's test client.

    .venv/bin/python bench/insights.py [--journeys N] [--requests N]
                                       [--new-events N] [--steps ...]

Each step runs in a child process of its own, so its peak memory (max RSS) is
its own. Data under var/bench/ (ignored by git). Targets: full recompute
under 10 s and at least 5x faster than pandas, incremental refresh under 1 s,
dashboard p95 under 200 ms, peak memory under 3 GB. The last line is the JSON
summary: {"bench": "insights", "figures", "targets", "met"}.
"""

import argparse
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
RESULT = "RESULT "
STEPS = ("generate", "recompute", "pandas", "database", "dashboards")
TARGETS = {
    "full_recompute_s": 10.0,
    "times_faster_than_pandas": 5.0,
    "incremental_refresh_s": 1.0,
    "dashboard_p95_ms": 200.0,
    "peak_memory_mb": 3072.0,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=56, help="dashboard requests timed")
    parser.add_argument("--new-events", type=int, default=10_000)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the loaded database of an earlier run (its set-up figures are kept too)",
    )
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.journeys < 100 or args.requests < 1 or args.new_events < 1:
        parser.error("--journeys at least 100, --requests and --new-events at least 1")
    return args


def folder(journeys: int) -> Path:
    path = ROOT / "var" / "bench" / f"insights-{journeys}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log(message: str) -> None:
    print(message, flush=True)


def setup_django(journeys: int, fresh: bool) -> None:
    database = folder(journeys) / "insights.sqlite3"
    if fresh:
        remove_sqlite(database)
    harness.setup_django(f"sqlite:///{database}")


def read(journeys: int, name: str, kinds: list[str] | None = None) -> Any:
    """A generated table; for events, only the given kinds if any (as the
    adapter reads only stage changes and value events from the log)."""
    import pyarrow.parquet as pq

    filters = [("kind", "in", kinds)] if kinds else None
    return pq.read_table(folder(journeys) / f"{name}.parquet", filters=filters)


def child(args: argparse.Namespace) -> dict[str, Any]:
    setup_file = folder(args.journeys) / "setup.json"
    reuse = args.child == "database" and args.reuse and setup_file.exists()
    setup_django(args.journeys, fresh=args.child == "database" and not reuse)
    if args.child == "generate":
        import pyarrow as pa
        import pyarrow.parquet as pq

        from bench.insightsdata.generate import generate

        began = time.perf_counter()
        made = generate(args.journeys, SEED)
        pq.write_table(made.events, folder(args.journeys) / "events.parquet")
        pq.write_table(made.base, folder(args.journeys) / "base.parquet")
        pq.write_table(
            pa.table({"stage": made.current_stage}), folder(args.journeys) / "stage.parquet"
        )
        return {"events": made.events.num_rows, "generate_s": time.perf_counter() - began}
    from bench.insightsdata import recompute

    if args.child == "recompute":
        events = read(args.journeys, "events", recompute.DERIVED_KINDS)
        base = read(args.journeys, "base")
        result = recompute.full_recompute(events, base)
        compared = recompute.compared_recompute(events, base)
        return {
            "derive_s": result["derive_s"],
            "metrics_s": result["metrics_s"],
            "full_recompute_s": result["total_s"],
            "compared_recompute_s": compared,
            "visits": result["visits"],
            "peak_memory_mb": peak_mb(),
        }
    if args.child == "pandas":
        events = read(args.journeys, "events", recompute.DERIVED_KINDS)
        base = read(args.journeys, "base")
        theirs = recompute.pandas_recompute(events, base)
        memory = peak_mb()
        ours = recompute.full_recompute(events, base)["results"]
        return {
            "pandas_s": theirs["total_s"],
            "pandas_peak_memory_mb": memory,
            "agree": recompute.agreement(ours, theirs["results"]),
        }
    from django.contrib.auth import get_user_model

    from bench.insightsdata import database

    if args.child == "dashboards":
        admin = get_user_model().objects.get(username="bench-admin").pk
        return {
            **database.dashboards(args.requests, admin, log),
            "dashboards_peak_memory_mb": peak_mb(),
        }
    if reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a database loaded before a schema change
        figures: dict[str, Any] = {**json.loads(setup_file.read_text()), "reused": True}
    else:
        events, base = read(args.journeys, "events"), read(args.journeys, "base")
        current = read(args.journeys, "stage")["stage"].combine_chunks()
        setup_file.unlink(missing_ok=True)
        figures = database.set_up(events, base, current, log)
        setup_file.write_text(json.dumps(figures))
        del events, base, current
    figures.update(database.refresh(args.new_events, log))
    figures["database_peak_memory_mb"] = peak_mb()
    return figures


def run_child(args: argparse.Namespace, step: str) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--journeys",
        str(args.journeys),
        "--requests",
        str(args.requests),
        "--new-events",
        str(args.new_events),
        *(["--reuse"] if args.reuse else []),
    ]
    log(f"== {step}")
    began = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    for line in process.stdout.splitlines():
        if not line.startswith(RESULT):
            log(line)
    if process.returncode != 0:
        log(process.stderr[-4000:])
        raise SystemExit(f"the {step} step failed")
    result = json.loads(process.stdout.rsplit(RESULT, 1)[1])
    result[f"{step}_wall_s"] = time.perf_counter() - began
    log(f"   {json.dumps(result, default=str)}")
    return result


def summary(figures: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "full_recompute_s" in figures:
        out["full_recompute_s"] = round(figures["full_recompute_s"], 2)
        out["peak_memory_mb"] = round(figures["peak_memory_mb"])
    if "pandas_s" in figures and "compared_recompute_s" in figures:
        out["pandas_s"] = round(figures["pandas_s"], 2)
        out["times_faster_than_pandas"] = round(
            figures["pandas_s"] / figures["compared_recompute_s"], 1
        )
        out["baseline_agrees"] = all(figures["agree"].values())
    if "refresh_s" in figures:
        out["incremental_refresh_s"] = round(figures["refresh_s"], 3)
    if "requests" in figures:
        # What a user sees: each view computed the first time in a fresh process.
        out["dashboard_p95_ms"] = round(figures["requests"]["computed"]["p95_ms"], 1)
        out["dashboard_cached_p95_ms"] = round(figures["requests"]["cached"]["p95_ms"], 1)
    return out


def met(out: dict[str, Any]) -> bool:
    checks = [
        out.get("full_recompute_s", 1e9) < TARGETS["full_recompute_s"],
        out.get("times_faster_than_pandas", 0) >= TARGETS["times_faster_than_pandas"],
        out.get("incremental_refresh_s", 1e9) < TARGETS["incremental_refresh_s"],
        out.get("dashboard_p95_ms", 1e9) < TARGETS["dashboard_p95_ms"],
        out.get("peak_memory_mb", 1e9) < TARGETS["peak_memory_mb"],
        out.get("baseline_agrees", False),
    ]
    return all(checks)


def parent(args: argparse.Namespace) -> int:
    log(f"Insights bench: {args.journeys:,} journeys, {args.journeys * 20:,} events (seed {SEED})")
    log(f"machine: {machine()}; load average {load_average()}")
    figures: dict[str, Any] = {}
    steps = [step for step in args.steps.split(",") if step]
    for step in steps:
        if step not in STEPS:
            raise SystemExit(f"unknown step {step!r}; known: {', '.join(STEPS)}")
        figures.update(run_child(args, step))
    out = summary(figures)
    log("\n== figures (target) ==")
    if "full_recompute_s" in out:
        log(
            f"full recompute {out['full_recompute_s']:.2f} s (< 10 s): derive "
            f"{figures['derive_s']:.2f} s + every metric {figures['metrics_s']:.2f} s; "
            f"peak memory {out['peak_memory_mb']} MB (< 3072)"
        )
    if "pandas_s" in out:
        log(
            f"metrics the baseline has: DuckDB {figures['compared_recompute_s']:.2f} s, pandas "
            f"{out['pandas_s']:.2f} s = {out['times_faster_than_pandas']}x (>= 5x); "
            f"same figures: {figures['agree']}"
        )
    if "refresh_s" in figures:
        log(
            f"database set-up {figures['setup_s']:.0f} s; copy loaded and prepared "
            f"{figures['copy_load_s']:.1f} s; incremental refresh after "
            f"{figures['new_events']:,} events {out['incremental_refresh_s']:.3f} s (< 1 s); "
            f"the copy follows it in {figures['copy_follow_s']:.1f} s"
        )
    if "requests" in figures:
        requests = figures["requests"]
        log(
            f"fresh process: copy ready after {figures['copy_ready_s']:.1f} s (background); "
            f"{args.requests} views computed: p50 {requests['computed']['p50_ms']:.0f} "
            f"p95 {requests['computed']['p95_ms']:.0f} ms (< 200); the same views cached: "
            f"p50 {requests['cached']['p50_ms']:.1f} p95 {requests['cached']['p95_ms']:.1f} ms"
        )
    log(f"load average at the end: {load_average()}")
    extra = {k: v for k, v in figures.items() if k not in out and k != "agree"}
    print(
        json.dumps(
            {
                "bench": "insights",
                "figures": {**out, "details": extra},
                "targets": TARGETS,
                "met": met(out),
            },
            default=str,
        )
    )
    return 0


def main() -> int:
    args = parse_args()
    if args.child:
        result = child(args)
        print(RESULT + json.dumps(result, default=str), flush=True)
        return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
