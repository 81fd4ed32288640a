"""Migrate, load and time the pages on the database Django is configured with.

Server time is measured in-process: Django's test client, logged in with
force_login, runs the whole middleware stack, the view, the queries and the
template; the time from the client call to the response is the server's work
without the network (and without opening a connection: the test client keeps
it open, as a pooled or persistent connection would). CPU time is this
process's: on SQLite it includes the database's work, on PostgreSQL not."""

import math
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.pagedata.load import load
from onethread.customers.models import Account
from onethread.journeys.access import visible_journeys
from onethread.journeys.models import Journey, JourneyEvent
from onethread.team.models import Member

Log = Callable[[str], None]
SPECIALIST_TEAM = "New business EMEA"
SPECIALIST_ROLE = "sdr"


def prepare_and_measure(
    *,
    accounts: int,
    events: int,
    requests: int,
    warmup: int,
    seed: int,
    reuse: bool,
    log: Log,
) -> dict[str, Any]:
    result: dict[str, Any] = {"accounts": accounts, "database": server_version()}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"{result['database']}; migrated in {time.perf_counter() - started:.1f} s")
    found = Account.objects.count()
    if reuse and found == accounts:
        log("reusing the data already loaded (--reuse)")
        result["load_s"] = None
    elif found:
        raise RuntimeError(
            f"The database holds {found:,} accounts, not {accounts:,}: run without --reuse."
        )
    else:
        started = time.perf_counter()
        report = load(accounts=accounts, events=events, seed=seed, now=int(time.time()), log=log)
        result["load_s"] = round(time.perf_counter() - started, 1)
        result["load_steps_s"] = {step: round(s, 1) for step, s in report.seconds.items()}
        steps = ", ".join(
            f"{step.replace('_', ' ')} {s:.0f} s" for step, s in report.seconds.items()
        )
        log(f"loaded in {result['load_s']:.0f} s ({steps})")
    result["events"] = JourneyEvent.objects.count()
    result["size_mb"] = size_on_disk_mb()
    rows = f"{Account.objects.count():,} accounts, {result['events']:,} events"
    log(f"{rows}, {result['size_mb']:,} MB on disk")
    log(f"load average: {load_average()}")
    before = cpu_counters()
    result["pages"], result["largest_journeys"], result["viewers"] = measure(
        requests=requests, warmup=warmup, seed=seed, log=log
    )
    result["machine_while_measuring"] = machine_use(before, cpu_counters())
    result["load_average_after"] = load_average()
    log(f"while measuring: {result['machine_while_measuring']}")
    log(f"load average: {result['load_average_after']}")
    return result


def server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def size_on_disk_mb() -> int:
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return (
            sum(
                Path(name + suffix).stat().st_size
                for suffix in ("", "-wal")
                if Path(name + suffix).exists()
            )
            // 2**20
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0]) // 2**20


def cpu_counters() -> list[int]:
    """The machine's CPU time counters (user, nice, system, idle, iowait, irq,
    softirq, steal), in ticks, or none where /proc/stat does not exist."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return []
    return [int(value) for value in stat.read_text().splitlines()[0].split()[1:9]]


def machine_use(before: list[int], after: list[int]) -> str:
    """How busy the whole machine was (every process, not only this one) and
    how much CPU the hypervisor took away, between two readings."""
    if not before or not after:
        return "unknown"
    delta = [a - b for a, b in zip(after, before, strict=True)]
    total = sum(delta) or 1
    busy = total - delta[3] - delta[4] - delta[7]
    return f"{100 * busy / total:.0f}% of the CPUs busy, {100 * delta[7] / total:.0f}% stolen"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


# Who looks, and at what --------------------------------------------------------


def viewers() -> tuple[User, User]:
    """An admin (sees every journey) and an SDR (sees their team's journeys
    and those whose account team they are on)."""
    users = get_user_model().objects
    admin = users.filter(member__role="admin").order_by("pk").first()
    sdr = (
        Member.objects.filter(team__name=SPECIALIST_TEAM, role=SPECIALIST_ROLE)
        .order_by("pk")
        .first()
    )
    if admin is None or sdr is None:
        raise RuntimeError("The bench database has no admin or no SDR: reload it without --reuse.")
    return admin, sdr.user


def account_samples(
    journey_ids: list[int],
    sizes: dict[int, int],
    accounts: dict[int, int],
    *,
    requests: int,
    warmup: int,
    rng: random.Random,
) -> tuple[list[int], set[int], list[int], int]:
    """(timed accounts, the largest journeys' accounts among them, warm-up
    accounts, the fewest events among those largest journeys): random
    accounts, plus a tenth that are the largest journeys."""
    largest = sorted(journey_ids, key=lambda j: (sizes.get(j, 0), j), reverse=True)
    largest = largest[: max(requests // 10, 1)]
    others = sorted(set(journey_ids) - set(largest))
    timed = [rng.choice(others) for _ in range(requests - len(largest))] + largest
    rng.shuffle(timed)
    warm = [rng.choice(others) for _ in range(warmup)]
    return (
        [accounts[j] for j in timed],
        {accounts[j] for j in largest},
        [accounts[j] for j in warm],
        min(sizes.get(j, 0) for j in largest),
    )


# Timing ------------------------------------------------------------------------


def time_requests(client: Client, urls: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time of each request, in ms."""
    times, cpu = [], []
    for url in urls:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return times, cpu


def queries_of(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [query["sql"] for query in captured.captured_queries]


def query_costs(queries: list[str], repeat: int = 3) -> list[tuple[float, str]]:
    """Each read query of a page run again on its own, fetching every row:
    (best time in ms, SQL). What is left of the page's time is Python."""
    costs = []
    with connection.cursor() as cursor:
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            best = math.inf
            for _ in range(repeat):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                best = min(best, time.perf_counter() - started)
            costs.append((best * 1000, sql))
    return costs


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def summarise(times_ms: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "max_ms": round(max(times_ms), 2),
    }


@dataclass
class Page:
    """One page as one viewer sees it: the URLs to time, to warm up with and
    to profile, and which of the timed ones are the largest journeys."""

    key: str
    client: Client
    timed: list[str]
    warm: list[str]
    profiled: list[str]
    big: set[str] = field(default_factory=set)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def measure(
    *, requests: int, warmup: int, seed: int, log: Log
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Warm every page up, then time them round-robin (request i of each page
    in turn), so that whatever else the machine is doing weighs on all four."""
    pages, about = plan_pages(requests=requests, warmup=warmup, seed=seed)
    log(
        f"specialist: {about['specialist']} sees {about['specialist_sees']:,} journeys "
        f"({about['specialist_sees_through_account_team']:,} of them through the account team)"
    )
    for page in pages:
        time_requests(page.client, page.warm)
    for index in range(requests):
        for page in pages:
            times, cpu = time_requests(page.client, [page.timed[index]])
            page.times += times
            page.cpu += cpu
    figures, largest = {}, {}
    for page in pages:
        figures[page.key], largest_figures = report_page(page, log)
        if largest_figures:
            largest[page.key] = largest_figures
    return figures, largest, about


def plan_pages(*, requests: int, warmup: int, seed: int) -> tuple[list[Page], dict[str, Any]]:
    rng = random.Random(seed)
    admin, specialist = viewers()
    sizes = dict(
        JourneyEvent.objects.order_by()
        .values("journey_id")
        .annotate(n=Count("id"))
        .values_list("journey_id", "n")
    )
    accounts = dict(Journey.objects.values_list("id", "account_id"))
    visible = sorted(visible_journeys(specialist).values_list("id", flat=True))
    in_team = Journey.objects.filter(team_id=specialist.member.team_id).count()
    about = {
        "specialist": f"{specialist.get_full_name()} (SDR, {SPECIALIST_TEAM})",
        "specialist_sees": len(visible),
        "specialist_sees_through_account_team": len(visible) - in_team,
    }

    def client(user: User) -> Client:
        logged_in = Client(HTTP_HOST="localhost")
        logged_in.force_login(user)
        return logged_in

    board = reverse("board")
    pages = [
        Page(key, client(user), [board] * requests, [board] * warmup, [board])
        for key, user in (("board_admin", admin), ("board_specialist", specialist))
    ]
    for key, user, journey_ids in (
        ("account_admin", admin, sorted(accounts)),
        ("account_specialist", specialist, visible),
    ):
        timed_ids, big_ids, warm_ids, fewest = account_samples(
            journey_ids, sizes, accounts, requests=requests, warmup=warmup, rng=rng
        )

        def url(account_id: int) -> str:
            return reverse("account-thread", args=[account_id])

        heaviest = url(accounts[max(journey_ids, key=lambda j: sizes.get(j, 0))])
        timed = [url(a) for a in timed_ids]
        page = Page(key, client(user), timed, [url(a) for a in warm_ids], [*timed[:4], heaviest])
        page.big = {url(a) for a in big_ids}
        about[f"{key}_largest_have_events"] = fewest
        pages.append(page)
    return pages, about


def report_page(page: Page, log: Log) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page's figures; its query count (the most among the profiled
    requests) and the queries of the heaviest one, each run again alone."""
    figures: dict[str, Any] = summarise(page.times)
    figures["cpu_median_ms"] = round(statistics.median(page.cpu), 2)
    profiles = [queries_of(page.client, url) for url in page.profiled]
    counts = sorted({len(profile) for profile in profiles})
    figures["queries"] = counts[-1]
    if len(counts) > 1:
        figures["queries_min"] = counts[0]
    costs = query_costs(profiles[-1])
    figures["sql_ms"] = round(sum(cost for cost, _ in costs), 2)
    line = (
        f"{page.key.replace('_', ', '):<20} median {figures['median_ms']:6.1f} ms  "
        f"p95 {figures['p95_ms']:6.1f} ms  max {figures['max_ms']:6.1f} ms  "
        f"{figures['queries']} queries  (CPU median {figures['cpu_median_ms']:.1f} ms)"
    )
    largest: dict[str, Any] = {}
    if page.big:
        largest = summarise(
            [t for url, t in zip(page.timed, page.times, strict=True) if url in page.big]
        )
        line += f"  (largest journeys: p95 {largest['p95_ms']:.1f} ms)"
    log(line)
    heaviest = "the heaviest account's" if page.big else "its"
    log(f"    {heaviest} queries take {figures['sql_ms']:.1f} ms run alone; the slowest:")
    for cost, sql in sorted(costs, reverse=True)[:3]:
        log(f"    {cost:6.2f} ms  {' '.join(sql.split())[:150]}")
    return figures, largest
