"""The database half of the insights bench, run in a child process with Django
set up on a fresh SQLite file: load the generated journeys and events with
executemany (indexes dropped during the load), write the aggregates derived
from them with the checkpoint at the last event (what a full refresh leaves),
then time the dashboards' copy loading, an incremental refresh after new
events and the copy following it; and, in a fresh process, the dashboards."""

import statistics
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from bench.insightsdata.generate import NOW, OWNERS, TEAMS
from bench.insightsdata.recompute import ROLES, derive_input
from onethread.customers.models import Account
from onethread.imports.bulk import BulkTable
from onethread.insights import derive, services
from onethread.insights.columnar import COPY, RESULTS, start_following
from onethread.insights.dashboards import DASHBOARDS
from onethread.insights.models import Checkpoint, JourneyFact, MonthlyValue, StageVisit
from onethread.journeys.models import AccountTeamMember, Journey, JourneyEvent, Stage
from onethread.team.models import Member, Team

CHUNK = 200_000
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}


def _text_time(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    return pc.strftime(column, format="%Y-%m-%d %H:%M:%S").to_pylist()


def _insert(model: Any, fields: Sequence[str], rows: Iterator[Sequence[Any]]) -> int:
    return BulkTable(model, fields).insert(rows, prepared=True)


def _chunks(table: pa.Table) -> Iterator[pa.Table]:
    for start in range(0, table.num_rows, CHUNK):
        yield table.slice(start, CHUNK)


def _people() -> int:
    teams = [Team.objects.create(name=f"Team {n}") for n in range(1, TEAMS + 1)]
    users = get_user_model()
    for n in range(1, OWNERS + 1):
        user = users.objects.create_user(f"member{n}", first_name=f"Member {n}")
        Member.objects.create(id=n, user=user, team=teams[n % TEAMS], role=ROLES[n % len(ROLES)])
    admin = users.objects.create_superuser("bench-admin", "admin@example.com", None)
    return admin.pk


def _journeys(base: pa.Table, current: pa.Array, stage_ids: dict[str, int], at: str) -> None:
    ids = base["journey_id"].to_pylist()
    _insert(
        Account,
        ["id", "name", "domain", "segment", "attributes", "created_at", "version"],
        ((i, f"Account {i}", "", "", "{}", at, 1) for i in ids),
    )
    stage = [stage_ids[key] for key in current.to_pylist()]
    opened = _text_time(base["opened_at"])
    columns = [
        ids,
        ids,
        base["team_id"].to_pylist(),
        stage,
        base["owner_id"].to_pylist(),
        base["source"].to_pylist(),
        opened,
        opened,
        _text_time(base["won_at"]),
        _text_time(base["first_touch_at"]),
        _text_time(base["closed_at"]),
        base["outcome_reason"].to_pylist(),
    ]
    fields = [
        *("id", "account_id", "team_id", "stage_id", "owner_id", "source", "opened_at"),
        *("stage_entered_at", "won_at", "first_touch_at", "closed_at", "outcome_reason"),
    ]
    _insert(
        Journey,
        [*fields, "attributes", "version"],
        ((*row, "{}", 1) for row in zip(*columns, strict=True)),
    )
    seats = zip(ids, base["owner_id"].to_pylist(), stage, strict=True)
    _insert(
        AccountTeamMember,
        ["journey_id", "member_id", "stage_id", "owned", "joined_at"],
        ((j, m, s, 1, at) for j, m, s in seats),
    )


def _stage_of_each_event(events: pa.Table, stage_ids: dict[str, int]) -> np.ndarray:
    """The stage a journey was in at each event (the last one entered)."""
    keys = list(stage_ids)
    codes = pc.index_in(events["stage"], value_set=pa.array(keys)).to_numpy(zero_copy_only=False)
    codes = np.where(np.isnan(codes.astype(float)), -1, codes).astype("int64")
    last = np.maximum.accumulate(np.where(codes >= 0, np.arange(codes.size), 0))
    lookup = np.array([stage_ids[key] for key in keys])
    return lookup[codes[last]]


def load_events(events: pa.Table, stage_ids: dict[str, int], at: str) -> None:
    stage_col = _stage_of_each_event(events, stage_ids)
    fields = ["id", "journey_id", "kind", "stage_id", "occurred_at", "recorded_at", "payload"]
    for offset, chunk in zip(range(0, events.num_rows, CHUNK), _chunks(events), strict=True):
        amounts = chunk["amount"].to_pylist()
        payloads = ("{}" if a is None else f'{{"amount": "{a:.2f}"}}' for a in amounts)
        rows = zip(
            chunk["event_id"].to_pylist(),
            chunk["journey_id"].to_pylist(),
            chunk["kind"].to_pylist(),
            stage_col[offset : offset + chunk.num_rows].tolist(),
            _text_time(chunk["occurred_at"]),
            (at for _ in range(chunk.num_rows)),
            payloads,
            strict=False,
        )
        _insert(JourneyEvent, fields, rows)


def load_aggregates(events: pa.Table, base: pa.Table, last_event_id: int) -> None:
    wanted = derive_input(events)
    journeys = derive.journeys(base, wanted)
    visits = derive.visits(wanted)
    monthly = derive.monthly_value(wanted)
    facts = [f.name for f in journeys.schema]
    _insert(
        JourneyFact,
        [*(("journey_id" if f == "journey_id" else f) for f in facts), "refreshed_upto"],
        _rows(journeys, last_event_id, blank=("source", "outcome", "outcome_reason")),
    )
    _insert(
        StageVisit,
        [*visits.schema.names, "refreshed_upto"],
        _rows(visits, last_event_id, blank=("next_stage",)),
    )
    monthly = monthly.set_column(1, "month", pc.cast(monthly["month"], pa.string()))
    _insert(MonthlyValue, [*monthly.schema.names, "refreshed_upto"], _rows(monthly, last_event_id))
    Checkpoint.objects.update_or_create(
        name=services.CHECKPOINT, defaults={"last_event_id": last_event_id}
    )


def _rows(table: pa.Table, marker: int, blank: Sequence[str] = ()) -> Iterator[tuple[Any, ...]]:
    for chunk in _chunks(table):
        columns = []
        for name in chunk.schema.names:
            column = chunk[name]
            if pa.types.is_timestamp(column.type):
                columns.append(_text_time(column))
            elif name in blank:
                columns.append(pc.fill_null(column, "").to_pylist())
            else:
                columns.append(column.to_pylist())
        yield from ((*row, marker) for row in zip(*columns, strict=True))


def _drop_event_indexes() -> list[str]:
    table = JourneyEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "select name, sql from sqlite_master where type = 'index' and tbl_name = %s "
            "and sql is not null",
            [table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'drop index "{name}"')
    return [sql for _, sql in found]


def set_up(events: pa.Table, base: pa.Table, current: pa.Array, log: Any) -> dict[str, float]:
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = OFF")
    stage_ids = dict(Stage.objects.values_list("key", "id"))
    at = NOW.replace(tzinfo=None).isoformat(sep=" ")
    figures: dict[str, float] = {}
    with transaction.atomic():
        _people()
        _journeys(base, current, stage_ids, at)
        figures["journeys_s"] = time.perf_counter() - began
        log(f"   journeys, accounts, seats loaded in {figures['journeys_s']:.0f} s")
        indexes = _drop_event_indexes()
        load_events(events, stage_ids, at)
        figures["events_s"] = time.perf_counter() - began - figures["journeys_s"]
        log(f"   {events.num_rows:,} events loaded in {figures['events_s']:.0f} s")
        with connection.cursor() as cursor:
            for sql in indexes:
                cursor.execute(sql)
        load_aggregates(events, base, int(pc.max(events["event_id"]).as_py()))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    figures["setup_s"] = time.perf_counter() - began
    return figures


def _time(client: Client, url: str, params: dict[str, str]) -> float:
    began = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params}: {response.status_code}")
    return elapsed


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "max_ms": ordered[-1]}


def plan(count: int) -> list[tuple[str, dict[str, str]]]:
    """Each dashboard under a mix of filters (none, a team, a source, a
    cohort), `count` views; the first 28 per dashboard set are all different."""
    urls = [f"/insights/{d.slug}/" for d in DASHBOARDS]
    mixes = [{}, {"team": "3"}, {"source": "web"}, {"cohort": "2025-06"}]
    return [
        (urls[i % len(urls)], {**PERIOD, **mixes[i // len(urls) % len(mixes)]})
        for i in range(count)
    ]


def requests(client: Client, count: int) -> dict[str, Any]:
    """In a process that has not shown any view yet, each planned view:
    `computed`, the first time (its metrics computed; a view planned twice
    is computed again, the results cache cleared), then `cached`, the same
    view again at once, served from the results cache (kept RESULT_SECONDS)."""
    seen: set[str] = set()
    computed, cached, per_page = [], [], {}
    for url, params in plan(count):
        key = f"{url}?{sorted(params.items())}"
        if key in seen:
            RESULTS.clear()
        seen.add(key)
        elapsed = _time(client, url, params)
        computed.append(elapsed)
        per_page.setdefault(url, []).append(elapsed)
        cached.append(_time(client, url, params))
    return {
        "computed": _percentiles(computed),
        "cached": _percentiles(cached),
        "computed_by_page_p50_ms": {url: statistics.median(t) for url, t in per_page.items()},
        "computed_ms": [round(t) for t in computed],
    }


def new_events(count: int, stage_ids: dict[str, int], seed: int = 7) -> int:
    """`count` new events on existing journeys: notes, and for a fifth of them
    a stage change (the journey moves on) or a value event."""
    rng = np.random.default_rng(seed)
    last = JourneyEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    journeys = Journey.objects.count()
    at = NOW.replace(tzinfo=None).isoformat(sep=" ")
    picked = rng.integers(1, journeys + 1, count).tolist()
    stage_of = dict(Journey.objects.filter(id__in=set(picked)).values_list("id", "stage_id"))
    by_id = {v: k for k, v in stage_ids.items()}
    order = ["lead", "qualification", "closing", "onboarding", "adoption", "expansion"]
    rows, moved = [], {}
    for n, journey in enumerate(picked, start=1):
        key = by_id[stage_of[journey]]
        kind, stage, payload = "note_added", stage_of[journey], "{}"
        if n % 5 == 0 and key in order[:-1]:
            kind, stage = "stage_entered", stage_ids[order[order.index(key) + 1]]
            moved[journey] = stage
        elif n % 5 == 0:
            kind, payload = "value_recorded", '{"amount": "120.00"}'
        rows.append((last + n, journey, kind, stage, at, at, payload))
    with transaction.atomic():
        _insert(
            JourneyEvent,
            ["id", "journey_id", "kind", "stage_id", "occurred_at", "recorded_at", "payload"],
            iter(rows),
        )
        for journey, stage in moved.items():
            Journey.objects.filter(pk=journey).update(stage_id=stage)
    return len(rows)


def wait_for_copy(began: float, timeout: float = 1800.0) -> float:
    """Seconds from `began` until the background thread has loaded and
    prepared the copy (as `onethread serve` starts it)."""
    while not COPY.ready():
        if time.perf_counter() - began > timeout:
            raise RuntimeError("the insights copy was not loaded in time")
        time.sleep(0.05)
    return time.perf_counter() - began


def refresh(new: int, log: Any) -> dict[str, Any]:
    """The copy loaded (as a web process does when it starts), new events,
    the incremental refresh, then the copy following it (what each web
    process's background thread does next)."""
    began = time.perf_counter()
    COPY.frames()
    figures: dict[str, Any] = {"copy_load_s": time.perf_counter() - began}
    log(f"   copy loaded and prepared: {figures['copy_load_s']:.1f} s")
    stage_ids = dict(Stage.objects.values_list("key", "id"))
    figures["new_events"] = new_events(new, stage_ids)
    began = time.perf_counter()
    done = services.refresh_insights()
    figures["refresh_s"] = time.perf_counter() - began
    figures["refresh_journeys"] = done.journeys
    log(f"   incremental refresh of {done.events:,} events: {figures['refresh_s']:.2f} s")
    began = time.perf_counter()
    COPY.frames()
    figures["copy_follow_s"] = time.perf_counter() - began
    figures["copy_increments"] = COPY.increments
    log(f"   the copy follows the refresh: {figures['copy_follow_s']:.1f} s")
    return figures


def dashboards(count: int, admin_id: int, log: Any) -> dict[str, Any]:
    """A fresh process after the refresh, as `onethread serve` runs one: the
    copy loaded by the background thread, then every view computed once,
    then the same views again."""
    began = time.perf_counter()
    stop = start_following()
    figures: dict[str, Any] = {"copy_ready_s": wait_for_copy(began)}
    log(f"   copy ready {figures['copy_ready_s']:.1f} s after the process started")
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(pk=admin_id))
    figures["requests"] = requests(client, count)
    stop.set()
    log(
        f"   dashboards: {figures['requests']['computed']} computed, "
        f"{figures['requests']['cached']} cached"
    )
    return figures
