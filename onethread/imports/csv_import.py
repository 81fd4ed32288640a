"""`onethread import csv`: files described by mapping files, imported in the
order their records depend on each other (accounts, journeys, deals,
contacts, stage history, interactions, tickets), all in one transaction.

Every row is validated and every refused row reported. By default nothing
is committed when any row is refused; with skip_invalid the valid rows are
(and the rows that depend on refused ones are refused too). A problem with a
whole file, or with a mapping, always stops the import. Running the same
import again creates nothing; an updated file updates records in place."""

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from onethread.imports.bulk import no_cycle_collection
from onethread.imports.csv_bulk import InteractionWriter, StageHistoryWriter, TicketWriter
from onethread.imports.csv_context import ImportContext
from onethread.imports.csv_customers import AccountWriter, ContactWriter
from onethread.imports.csv_journeys import settle
from onethread.imports.csv_pipeline import DealWriter, JourneyWriter
from onethread.imports.csv_rows import RowParser, RowRefused
from onethread.imports.csv_writer import Writer
from onethread.imports.files import Row, Table, UnreadableFile, open_table
from onethread.imports.mapping import Mapping
from onethread.imports.models import ImportRun
from onethread.imports.report import ImportReport
from onethread.journeys import counts

Progress = Callable[[str, int, int], None]
WRITERS: dict[str, type[Writer]] = {
    "account": AccountWriter,
    "journey": JourneyWriter,
    "deal": DealWriter,
    "contact": ContactWriter,
    "stage_history": StageHistoryWriter,
    "interaction": InteractionWriter,
    "ticket": TicketWriter,
}
REASON_COLUMNS = {"journey": "outcome_reason", "deal": "lost_reason"}
SHOWN_MATCHES = 10
SQLITE_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class Source:
    """One file to import and the mapping that describes it."""

    mapping: Mapping
    name: str  # as the report names it
    open: Callable[[], Table]  # opens the file again from its start
    path: Path | None = None


def file_source(mapping: Mapping, path: Path) -> Source:
    return Source(mapping, path.name, lambda: open_table(path), path)


class _NothingCommitted(Exception):
    pass


def import_csv(
    sources: Sequence[Source],
    *,
    skip_invalid: bool = False,
    by: User | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    started = time.perf_counter()
    systems = sorted({source.mapping.system for source in sources})
    report = ImportReport(
        source=f"csv-{'-'.join(systems)}"[:40], files=[source.name for source in sources]
    )
    ordered = sorted(sources, key=lambda source: source.mapping.entity.sorting)
    tables = _open_all(ordered, report)
    if tables is not None:
        try:
            with (
                no_cycle_collection(),
                _references_checked_here(),
                transaction.atomic(),
                _sqlite_page_cache(),
            ):
                context = ImportContext.start(report, now or timezone.now(), timezone.now())
                if not _check_stages(ordered, context):
                    raise _NothingCommitted
                for source, table in zip(ordered, tables, strict=True):
                    if not _import_file(context, source, table, progress):
                        raise _NothingCommitted
                settle(context)
                # The board's counts are maintained by the services; a bulk write recounts.
                counts.recount()
                _notes(context)
                if report.errors and not skip_invalid:
                    raise _NothingCommitted
        except _NothingCommitted:
            pass
        else:
            report.committed = True
    report.seconds = time.perf_counter() - started
    log_run(report, by)
    return report


@contextlib.contextmanager
def _references_checked_here() -> Iterator[None]:
    """On SQLite, no foreign-key check per inserted row: every reference the
    import writes was read from the database in the same write transaction
    (journeys, stages, users, contacts), so each check would only repeat it.
    SQLite can change this only outside a transaction: inside one (a test, a
    request already atomic) the checks stay on."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.constraint_checks_disabled():
        yield


@contextlib.contextmanager
def _sqlite_page_cache() -> Iterator[None]:
    """On SQLite, a larger page cache while importing: indexes are updated in
    memory instead of spilling to disk (bounded: SQLITE_CACHE_KIB)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _open_all(sources: Sequence[Source], report: ImportReport) -> list[Table] | None:
    """Every file opened and its header checked before anything is written."""
    tables = []
    for source in sources:
        try:
            table = source.open()
        except UnreadableFile as error:
            report.reject(source.name, 0, "", None, f"cannot read the file: {error}")
            continue
        missing = [
            column for column in source.mapping.required_columns() if column not in table.columns
        ]
        if missing:
            report.reject(
                source.name,
                1,
                ", ".join(missing),
                None,
                f"required column(s) missing (the mapping {source.mapping.source} needs them)",
            )
            continue
        tables.append(table)
    return tables if len(tables) == len(sources) else None


def _check_stages(sources: Sequence[Source], context: ImportContext) -> bool:
    """The stages a mapping names exist here, and every outcome it can end a
    journey in comes with a reason."""
    fine = True
    known = ", ".join(context.stages)
    for source in sources:
        mapping = source.mapping
        reason_column = REASON_COLUMNS.get(mapping.entity.name)
        for where, target in mapping.stage_targets():
            stage = context.stages.get(target.key)
            problem = ""
            if stage is None:
                problem = f"{where} names the stage {target.key!r}, unknown here (stages: {known})"
            elif stage.is_outcome and where == "open_journeys_in":
                problem = "open_journeys_in must be an active stage, not an outcome"
            elif stage.is_outcome and not target.reason and reason_column not in mapping.columns:
                problem = (
                    f"{where} ends journeys as {target.key!r} without a reason: write "
                    f'{{ stage = "{target.key}", reason = "…" }}'
                    + (f" or map the {reason_column} column" if reason_column else "")
                )
            if problem:
                context.report.reject(
                    source.name, 0, "", target.key, f"mapping {mapping.source}: {problem}"
                )
                fine = False
    return fine


def _import_file(
    context: ImportContext, source: Source, table: Table, progress: Progress | None
) -> bool:
    """Stream one file through its writer; False when it cannot be read to its end."""
    mapping, report = source.mapping, context.report
    parser = RowParser(mapping, table, context.stage_data, now=context.now)
    if parser.missing:
        report.notes.append(
            f"{source.name}: not in the file, so left empty: {', '.join(parser.missing)}."
        )
    writer = WRITERS[mapping.entity.name](context, mapping, source.name, source.open)
    total = count_rows(source.path) if progress and source.path else 0
    batch, done = [], 0
    try:
        for row in table.rows:
            report.rows_read += 1
            done += 1
            try:
                batch.append(parser.parse(row))
            except RowRefused as refused:
                context.refuse(source.name, row.line, refused.problems)
                _remember_refused(context, mapping, row, source.name)
            if len(batch) >= writer.batch_size:
                writer.write(batch)
                batch = []
                if progress:
                    progress(source.name, done, max(total, done))
        if batch:
            writer.write(batch)
    except UnreadableFile as error:
        report.reject(source.name, 0, "", None, f"cannot read the file to its end: {error}")
        return False
    writer.finish()
    if progress:
        progress(source.name, done, done)
    return True


def _remember_refused(context: ImportContext, mapping: Mapping, row: Row, file: str) -> None:
    """So that the rows depending on a refused one are refused too, saying why."""
    values = row.values
    external_id = (values.get(mapping.id_column) or "").strip() if mapping.id_column else ""
    context.remember_refused(mapping, external_id, file, row.line)
    if "account" in mapping.references:
        account = (values.get(mapping.references["account"].column) or "").strip()
        context.remember_refused_opener(mapping, account, file, row.line)


def count_rows(path: Path) -> int:
    """About how many rows a CSV file holds (its lines less the header), for a
    progress bar (0 for Parquet: the bar then grows as it goes)."""
    if path.suffix.lower() in {".parquet", ".pq"}:
        return 0
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def _notes(context: ImportContext) -> None:
    report, matched = context.report, context.matched
    if matched:
        report.notes.append(
            f"Linked {len(matched):,} row(s) to records that already existed, instead of copies:"
        )
        report.notes.extend(f"  {line}" for line in matched[:SHOWN_MATCHES])
        if len(matched) > SHOWN_MATCHES:
            report.notes.append(f"  … and {len(matched) - SHOWN_MATCHES:,} more.")
    if context.unknown_owners:
        report.notes.append(
            f"{context.unknown_owners:,} row(s) name an owner who is no user here: left unowned."
        )


def log_run(report: ImportReport, by: User | None) -> ImportRun:
    if report.committed:
        status = ImportRun.Status.PARTIAL if report.errors else ImportRun.Status.COMMITTED
    else:
        status = ImportRun.Status.REJECTED
    return ImportRun.objects.create(
        source=report.source,
        files=report.files,
        status=status,
        rows_read=report.rows_read,
        rows_rejected=report.rejected_rows,
        created=dict(report.created),
        updated=dict(report.updated),
        seconds=report.seconds,
        by=by,
    )
