"""Helpers for the CSV import tests: files written in the test itself, and the
row count of every table (to show an import changed nothing)."""

import tomllib
from pathlib import Path

from django.apps import apps

from onethread.imports.csv_import import Source, file_source, import_csv
from onethread.imports.mapping import parse_mapping
from onethread.imports.models import ImportRun
from onethread.imports.report import ImportReport

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def source(folder: Path, mapping: str, name: str, rows: str) -> Source:
    """A file and its mapping, both written from text (the CSV in UTF-8)."""
    path = folder / name
    path.write_text(rows, encoding="utf-8")
    return file_source(parse_mapping(tomllib.loads(mapping), f"{name} mapping"), path)


def run(*sources: Source, skip_invalid: bool = False) -> ImportReport:
    return import_csv(list(sources), skip_invalid=skip_invalid)


def table_counts() -> dict[str, int]:
    """Rows in every table but the import log (which records refused imports too)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model is not ImportRun and model._meta.managed
    }


def refusals(report: ImportReport) -> list[tuple[str, int, str, str]]:
    return [(error.file, error.line, error.column, error.reason) for error in report.errors]


ACCOUNTS = """
system = "crm"
entity = "account"
id_column = "Id"
attributes = ["Industry"]
[columns]
name = "Name"
domain = "Website"
segment = "Segment"
"""

DEALS = """
system = "crm"
entity = "deal"
id_column = "Id"
[columns]
name = "Name"
stage = "Stage"
amount = "Amount"
created_at = "Created"
close_date = "Closed"
lost_reason = "Why lost"
[references]
account = "AccountId"
owner = { column = "Owner", by = "email" }
[values.stage]
"Discovery" = "qualification"
"Proposal" = "closing"
"Won" = "onboarding"
"Lost" = { stage = "lost", reason = "Lost in the old CRM" }
[stage_history]
"Entered Discovery" = "qualification"
"Entered Proposal" = "closing"
"Entered Won" = "onboarding"
[dates]
formats = ["%Y-%m-%d %H:%M", "%Y-%m-%d"]
time_zone = "Europe/Paris"
"""

INTERACTIONS = """
system = "crm"
entity = "interaction"
id_column = "Id"
[columns]
channel = "Type"
direction = "Direction"
summary = "Notes"
occurred_at = "When"
[references]
account = "AccountId"
[values.channel]
"Phone" = "call"
"Mail" = "email"
[values.direction]
"in" = "inbound"
"out" = "outbound"
[dates]
formats = ["%Y-%m-%d %H:%M"]
time_zone = "UTC"
"""
