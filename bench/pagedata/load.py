"""Bulk-loading the data set into the configured database, the way an operator
restores a large data set: secondary indexes (and, on PostgreSQL, foreign keys)
set aside, rows streamed in batches (SQLite: executemany; PostgreSQL: COPY),
events inserted in the order they happened, then indexes and keys rebuilt and
statistics gathered. Configuration rows (teams, members, catalogue) go through
the ORM; the stages are the default ones the migrations install."""

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from bench.pagedata.plan import filler_counts, plan_journeys, staff
from bench.pagedata.story import EVENT_STAGING, TABLES, Adapter, Ids, Staffer, Story, World
from onethread.catalogue.models import Category, Product
from onethread.demo import company
from onethread.journeys.models import JourneyEvent, Stage
from onethread.journeys.seats import fill_seat_teams
from onethread.team.models import Member, Team

BATCH = 50_000
STAGING = "bench_event_staging"
Log = Callable[[str], None]


class SqliteAdapter:
    """Values as Django's SQLite backend stores them (UTC text, JSON text)."""

    def ts(self, moment: int) -> str:
        return str(dt.datetime.fromtimestamp(moment, dt.UTC).replace(tzinfo=None))

    def date(self, moment: int) -> str:
        return dt.datetime.fromtimestamp(moment, dt.UTC).date().isoformat()

    def json(self, value: dict[str, Any]) -> str:
        return json.dumps(value)

    def money(self, value: Decimal) -> str:
        return str(value)

    def flag(self, value: bool) -> int:
        return int(value)


class PostgresAdapter:
    """Python values for psycopg's COPY (JSON as text, which jsonb parses)."""

    def ts(self, moment: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(moment, dt.UTC)

    def date(self, moment: int) -> dt.date:
        return dt.datetime.fromtimestamp(moment, dt.UTC).date()

    def json(self, value: dict[str, Any]) -> str:
        return json.dumps(value)

    def money(self, value: Decimal) -> Decimal:
        return value

    def flag(self, value: bool) -> bool:
        return value


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    extras: tuple[Any, ...]  # defaults of the columns the story does not fill


def _model(label: str) -> type[models.Model]:
    app_label, name, *m2m = label.split(".")
    model = apps.get_model(app_label, name)
    if m2m:
        through: type[models.Model] = getattr(model, m2m[0]).through
        return through
    return model


def _table(model: type[models.Model], fields: tuple[str, ...]) -> Table:
    """The story's fields, then every other concrete column with its default,
    so a field added to a model later does not break the load."""
    columns = tuple(_column(model, name) for name in fields)
    extra_columns: list[str] = []
    extras: list[Any] = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in fields or model_field.primary_key:
            continue
        if not model_field.has_default() and not model_field.null:
            raise RuntimeError(
                f"The bench does not know how to fill {model.__name__}.{model_field.name}."
            )
        extra_columns.append(_column(model, model_field.name))
        extras.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    return Table(model._meta.db_table, columns + tuple(extra_columns), tuple(extras))


def _column(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    assert model_field.column
    return model_field.column


def tables() -> dict[str, Table]:
    found = {key: _table(_model(label), fields) for key, (label, fields) in TABLES.items()}
    found["event"] = _table(JourneyEvent, EVENT_STAGING)
    return found


def loaded_models() -> list[type[models.Model]]:
    return [_model(label) for label, _ in TABLES.values()] + [JourneyEvent]


# Writers ---------------------------------------------------------------------


class SqliteWriter:
    adapter: Adapter = SqliteAdapter()

    def insert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join(["%s"] * len(table.columns))
        sql = f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) VALUES ({marks})'
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")


class PostgresWriter:
    adapter: Adapter = PostgresAdapter()

    def insert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        sql = f'COPY "{table.name}" ({", ".join(table.columns)}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute("SET maintenance_work_mem = '512MB'")


Writer = SqliteWriter | PostgresWriter


class BatchSink:
    """Collects a story's rows per table and writes them every BATCH rows,
    parents before children, in one transaction per batch."""

    def __init__(self, writer: Writer, tables: dict[str, Table]) -> None:
        self.writer, self.tables = writer, tables
        self.rows: dict[str, list[tuple[Any, ...]]] = {key: [] for key in tables}
        self.counts = dict.fromkeys(tables, 0)
        self.seq = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        if table == "event":  # staged with its place in the story; defaults come later
            self.seq += 1
            self.rows[table].append((*row, self.seq))
        else:
            self.rows[table].append(row + self.tables[table].extras)

    def flush_if_full(self) -> None:
        if any(len(rows) >= BATCH for rows in self.rows.values()):
            self.flush()

    def flush(self) -> None:
        with transaction.atomic():
            for key, rows in self.rows.items():
                if rows:
                    table = self.tables[key]
                    if key == "event":
                        table = Table(STAGING, (*table.columns[: len(EVENT_STAGING)], "seq"), ())
                    self.writer.insert(table, rows)
                    self.counts[key] += len(rows)
                    self.rows[key] = []


# Indexes and keys set aside during the load ---------------------------------


def set_aside_indexes(table_names: list[str]) -> list[str]:
    """Drop the non-unique indexes (and PostgreSQL foreign keys) of the
    tables; return the statements that put them back."""
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(table_names))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND tbl_name IN ({marks}) AND sql LIKE 'CREATE INDEX%%'",
                table_names,
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(sql)
            return restore
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%%'",
            [table_names],
        )
        for name, sql in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.append(sql)
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [table_names],
        )
        for table, name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    return restore


# The configuration rows ------------------------------------------------------


def create_world(adapter: Adapter, now: int) -> World:
    """Teams, the 100 members, the catalogue: through the ORM."""
    people = staff()
    teams = {name: Team.objects.create(name=name) for name in dict.fromkeys(p.team for p in people)}
    unusable = make_password(None)  # nobody logs in to the bench database
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            email=f"{p.username}@{company.EMAIL_DOMAIN}",
            password=unusable,
            is_staff=p.role == "admin",
            is_superuser=p.role == "admin",
        )
        for p in people
    )
    members = Member.objects.bulk_create(
        Member(user=user, team=teams[p.team], role=p.role)
        for p, user in zip(people, users, strict=True)
    )
    by_role: dict[tuple[str, str], list[Staffer]] = {}
    for p, user, member in zip(people, users, members, strict=True):
        staffer = Staffer(member.pk, user.pk, p.name, teams[p.team].pk)
        by_role.setdefault((p.team, p.role), []).append(staffer)
    categories = {
        slug: Category.objects.create(slug=slug, name=name) for slug, name in company.CATEGORIES
    }
    products = {}
    for name, tier, _, price, slugs, description in company.PRODUCTS:
        product = Product.objects.create(
            name=name, tier=tier, list_price=price, description=description
        )
        product.categories.set([categories[slug] for slug in slugs])
        products[name] = (product.pk, price, slugs)
    return World(
        now=now,
        stage_ids=dict(Stage.objects.values_list("key", "id")),
        staff=by_role,
        categories={slug: (c.pk, c.name) for slug, c in categories.items()},
        products=products,
        adapter=adapter,
    )


# The load --------------------------------------------------------------------


@dataclass
class LoadReport:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def load(*, accounts: int, events: int, seed: int, now: int, log: Log) -> LoadReport:
    report = LoadReport()
    writer: Writer = SqliteWriter() if connection.vendor == "sqlite" else PostgresWriter()
    writer.prepare()
    found = tables()
    started = time.perf_counter()
    world = create_world(writer.adapter, now)
    plans = plan_journeys(accounts, seed=seed, now=now)
    skeletons = []
    for plan in plans:
        story = Story(plan, world, Ids(), 0)
        story.tell()
        skeletons.append(story.event_count)
    fillers = filler_counts(plans, skeletons, events)
    report.seconds["plan"] = time.perf_counter() - started
    log(f"planned {len(plans):,} journeys in {report.seconds['plan']:.0f} s")

    started = time.perf_counter()
    restore = set_aside_indexes([table.name for table in found.values()])
    _create_staging()
    sink, ids = BatchSink(writer, found), Ids()
    step = max(len(plans) // 10, 1)
    for number, (plan, extra) in enumerate(zip(plans, fillers, strict=True), start=1):
        story = Story(plan, world, ids, extra)
        story.tell()
        story.emit(sink)
        sink.flush_if_full()
        if number % step == 0:
            log(f"  {number:,} journeys, {sink.counts['event'] + len(sink.rows['event']):,} events")
    sink.flush()
    report.seconds["rows"] = time.perf_counter() - started

    fill_seat_teams()  # the triggers may have met seats before their journeys
    started = time.perf_counter()
    _events_in_order(found["event"])
    report.seconds["events_in_order"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in restore:
            cursor.execute(sql)
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded_models()):
            cursor.execute(sql)
    report.seconds["indexes_and_keys"] = time.perf_counter() - started
    started = time.perf_counter()
    analyze()
    report.seconds["analyze"] = time.perf_counter() - started
    report.rows = {found[key].name: count for key, count in sink.counts.items()}
    return report


def _create_staging() -> None:
    columns = ", ".join(_column(JourneyEvent, name) for name in EVENT_STAGING)
    event_table = JourneyEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} AS SELECT {columns} FROM {event_table} WHERE 1 = 0"
        )
        cursor.execute(f"ALTER TABLE {STAGING} ADD COLUMN seq bigint")


def _events_in_order(table: Table) -> None:
    """Move the staged events into the log in the order they happened, so ids
    (and the rows' places on disk) follow time, as in a live system."""
    staged = ", ".join(table.columns[: len(EVENT_STAGING)])
    extras = "".join(", %s" for _ in table.extras)
    occurred = _column(JourneyEvent, "occurred_at")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) '
                f"SELECT {staged}{extras} FROM {STAGING} ORDER BY {occurred}, seq",
                list(table.extras),
            )
        else:
            cursor.execute(
                f'INSERT INTO "{table.name}" (id, {", ".join(table.columns)}) '
                f"SELECT row_number() OVER (ORDER BY {occurred}, seq), {staged}{extras} "
                f"FROM {STAGING}",
                list(table.extras),
            )
        cursor.execute(f"DROP TABLE {STAGING}")


def analyze() -> None:
    """What an operator runs after a bulk load."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM (ANALYZE)")
