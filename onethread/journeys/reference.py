"""Reference data, read once per process and kept until it changes: the
stages, the handoff steps with their contracts, the need categories, the
active products and the active members. Pages show all of it (select
options, stage names, handoff receivers) and it rarely changes.

Every write to those tables, by any process, sets a new random token in the
one ReferenceVersion row: database triggers do it, so that admin edits,
bulk updates and raw SQL are all seen. A reader reads the token (one
primary-key lookup) and reuses its copy only when the copy was read under
that same token. Random, not a counter: a rolled-back write must not make an
old number current again (tests roll back after every test)."""

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections

from onethread.catalogue.models import Category, Product
from onethread.handoffs.models import ContractItem, Transition
from onethread.journeys.models import ReferenceVersion, Stage
from onethread.team.models import Member, Role, Team

TRIGGER = "onethread_reference"


@dataclass(frozen=True)
class Reference:
    """Shared between requests: read it, never change it."""

    stages: list[Stage]
    transitions: list[Transition]  # with to_stage, receiving_team and items
    categories: list[tuple[int, str]]
    products: list[tuple[int, str]]  # the active ones
    members: list[Member]  # of active users, with user and team
    member_choices: list[tuple[int, str]] = field(init=False)
    member_by_id: dict[int, Member] = field(init=False)
    stage_by_id: dict[int, Stage] = field(init=False)

    def __post_init__(self) -> None:
        roles = dict(Role.choices)
        people = sorted(
            self.members,
            key=lambda m: (m.user.first_name, m.user.last_name, m.user.username),
        )
        object.__setattr__(
            self,
            "member_choices",
            [(m.user_id, f"{m.name} ({roles.get(m.role, m.role)})") for m in people],
        )
        object.__setattr__(self, "member_by_id", {member.pk: member for member in self.members})
        object.__setattr__(self, "stage_by_id", {stage.pk: stage for stage in self.stages})

    def transitions_from(self, stage_id: int) -> list[Transition]:
        return sorted(
            (t for t in self.transitions if t.from_stage_id == stage_id),
            key=lambda t: (t.to_stage.position, t.to_stage_id, t.pk),
        )


_lock = threading.Lock()
_kept: dict[str, tuple[str, Reference]] = {}  # database name -> (token, copy)


def reference() -> Reference:
    """The reference data as the database holds it now: one query when the
    process's copy is current, seven when it is read again."""
    token = current_token()
    name = str(connection.settings_dict["NAME"])
    kept = _kept.get(name)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    # Read after the token: a write in between makes the copy newer than its
    # token says, which only costs a reload.
    fresh = _read()
    if token is not None:
        with _lock:
            _kept[name] = (token, fresh)
    return fresh


def current_token() -> str | None:
    """None where no triggers keep it (another database vendor): no copy kept."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return None
    table = connection.ops.quote_name(ReferenceVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _read() -> Reference:
    return Reference(
        stages=list(Stage.objects.order_by("position", "id")),
        transitions=list(
            Transition.objects.select_related("to_stage", "receiving_team")
            .prefetch_related("items")
            .order_by("from_stage__position", "to_stage__position", "id")
        ),
        categories=list(Category.objects.order_by("name").values_list("pk", "name")),
        products=list(
            Product.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
        ),
        members=list(
            Member.objects.filter(user__is_active=True)
            .select_related("user", "team")
            .order_by("team__name", "user__first_name", "user__last_name", "user__username")
        ),
    )


# The triggers -------------------------------------------------------------------


def _watched() -> list[tuple[str, list[str]]]:
    """(table, the columns whose updates count; empty: every column)."""
    user = get_user_model()
    names = ("first_name", "last_name", "username", "is_active")
    columns = [str(getattr(user._meta.get_field(name), "column", name)) for name in names]
    return [
        (Stage._meta.db_table, []),
        (Transition._meta.db_table, []),
        (ContractItem._meta.db_table, []),
        (Category._meta.db_table, []),
        (Product._meta.db_table, []),
        (Team._meta.db_table, []),
        (Member._meta.db_table, []),
        (user._meta.db_table, columns),  # not last_login, written at every login
    ]


def install_triggers(using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """Create the triggers that change the token (idempotent; after every
    migrate, since SQLite drops a table's triggers when it rebuilds it)."""
    db = connections[using]
    tables = set(db.introspection.table_names())
    version = ReferenceVersion._meta.db_table
    if version not in tables:
        return
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}_changed() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN "
                f"UPDATE {quote(version)} "
                f"SET token = md5(random()::text || clock_timestamp()::text); RETURN NULL; END $$"
            )
        for table, columns in _watched():
            if table not in tables:
                continue
            update = "UPDATE" + (f" OF {', '.join(quote(c) for c in columns)}" if columns else "")
            if db.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
                    f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_changed()"
                )
            elif db.vendor == "sqlite":
                for event in ("INSERT", update, "DELETE"):
                    name = f"{TRIGGER}_{table}_{event.split()[0].lower()}"
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {quote(name)} AFTER {event} "
                        f"ON {quote(table)} BEGIN UPDATE {quote(version)} "
                        f"SET token = lower(hex(randomblob(16))); END"
                    )
        cursor.execute(f"SELECT 1 FROM {quote(version)} WHERE id = 1")
        if cursor.fetchone() is None:  # a flush emptied it
            cursor.execute(
                f"INSERT INTO {quote(version)} (id, token) VALUES (1, %s)", [secrets.token_hex(16)]
            )
