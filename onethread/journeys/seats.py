"""Each account-team seat keeps its journey's team (`journey_team`), so that
the journeys a member sees outside their team are found from their seats by
an index range (the board's columns for a specialist), not by reading every
seat's journey.

Database triggers keep the copy, whoever writes: a new seat takes its
journey's team, a seat's copy cannot be set to anything else, and a journey
that changes team updates its seats (the reassigning service, the admin, an
import's bulk update, raw SQL alike). Installed after every migrate, since
SQLite drops a table's triggers when it rebuilds the table."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from onethread.journeys.models import AccountTeamMember, Journey

TRIGGER = "onethread_seat_team"


def install_seat_team_triggers(using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    db = connections[using]
    seat, journey = AccountTeamMember._meta.db_table, Journey._meta.db_table
    if not {seat, journey} <= set(db.introspection.table_names()):
        return
    q = db.ops.quote_name
    with db.cursor() as cursor:
        columns = {column.name for column in db.introspection.get_table_description(cursor, seat)}
        if "journey_team_id" not in columns:  # before journeys/0011
            return
        team_of = f"(SELECT team_id FROM {q(journey)} WHERE id = NEW.journey_id)"
        if db.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}_of_seat() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN NEW.journey_team_id := {team_of}; "
                f"RETURN NEW; END $$"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_of_seat ON {q(seat)}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER}_of_seat BEFORE INSERT OR UPDATE OF journey_id, "
                f"journey_team_id ON {q(seat)} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_of_seat()"
            )
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}_moved() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {q(seat)} SET journey_team_id = "
                f"NEW.team_id WHERE journey_id = NEW.id; RETURN NULL; END $$"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_moved ON {q(journey)}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER}_moved AFTER UPDATE OF team_id ON {q(journey)} "
                f"FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) "
                f"EXECUTE FUNCTION {TRIGGER}_moved()"
            )
        elif db.vendor == "sqlite":
            for event in ("INSERT", "UPDATE OF journey_id, journey_team_id"):
                name = f"{TRIGGER}_of_seat_{event.split()[0].lower()}"
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {q(name)} AFTER {event} ON {q(seat)} "
                    f"WHEN NEW.journey_team_id IS NOT {team_of} "
                    f"BEGIN UPDATE {q(seat)} SET journey_team_id = {team_of} "
                    f"WHERE id = NEW.id; END"
                )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {q(TRIGGER + '_moved')} AFTER UPDATE OF team_id "
                f"ON {q(journey)} WHEN NEW.team_id IS NOT OLD.team_id "
                f"BEGIN UPDATE {q(seat)} SET journey_team_id = NEW.team_id "
                f"WHERE journey_id = NEW.id; END"
            )


def fill_seat_teams() -> None:
    """Give every seat its journey's team in one statement (after a bulk load
    that wrote seats before their journeys)."""
    db = connections[DEFAULT_DB_ALIAS]
    q = db.ops.quote_name
    seat, journey = q(AccountTeamMember._meta.db_table), q(Journey._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {seat} SET journey_team_id = (SELECT team_id FROM {journey} "
            f"WHERE {journey}.id = {seat}.journey_id)"
        )
