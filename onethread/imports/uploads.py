"""The web import page's work: uploaded files and a mapping go through the
same CSV importer as `onethread import csv`, within the request, and a
report of the refused rows is kept for download beside the run."""

import datetime as dt
import re
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile

from onethread.imports.csv_import import Source, import_csv
from onethread.imports.files import Table, open_table
from onethread.imports.mapping import Mapping, MappingError, load_mapping, parse_mapping
from onethread.imports.models import ImportRun
from onethread.imports.report import ImportReport

REPORTS = "import-reports"  # under var/
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Imported:
    report: ImportReport
    run: ImportRun | None


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_MB) * 1024 * 1024


def reports_folder() -> Path:
    return Path(settings.VAR_DIR) / REPORTS


def report_file(run: ImportRun) -> Path | None:
    """The run's refused-rows report, when the web page kept one."""
    if not run.report_path:
        return None
    folder = reports_folder().resolve()
    path = (Path(settings.VAR_DIR) / run.report_path).resolve()
    return path if path.parent == folder and path.is_file() else None


def _save(upload: UploadedFile, folder: Path, number: int) -> Path:
    name = _UNSAFE.sub("_", Path(upload.name or "upload.csv").name)[-80:] or "upload.csv"
    path = folder / f"{number}-{name}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def _opener(path: Path) -> Callable[[], Table]:
    return lambda: open_table(path)


def read_mapping(packaged: str, upload: UploadedFile | None) -> Mapping:
    """A packaged mapping by name, or the uploaded TOML (MappingError when it is wrong)."""
    if upload is None:
        return load_mapping(packaged)
    name = Path(upload.name or "mapping.toml").name
    try:
        data = tomllib.loads(b"".join(upload.chunks()).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(name, [f"not valid TOML: {error}"]) from error
    return parse_mapping(data, name)


def import_uploads(
    uploads: Sequence[UploadedFile],
    *,
    mapping_name: str,
    mapping_upload: UploadedFile | None,
    skip_invalid: bool,
    by: User,
    now: dt.datetime,
) -> Imported:
    """Import the uploaded files with the mapping; keep the refused rows' report."""
    mapping = read_mapping(mapping_name, mapping_upload)
    with tempfile.TemporaryDirectory(prefix="onethread-upload-") as folder:
        sources = []
        for number, upload in enumerate(uploads, start=1):
            path = _save(upload, Path(folder), number)
            sources.append(Source(mapping, upload.name or path.name, _opener(path), path))
        last = ImportRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        report = import_csv(sources, skip_invalid=skip_invalid, by=by, now=now)
    run = ImportRun.objects.filter(pk__gt=last, by=by).order_by("-pk").first()
    if run is not None and report.errors:
        path = report.write_csv(reports_folder() / f"run-{run.pk}-refused.csv")
        run.report_path = f"{REPORTS}/{path.name}"
        run.save(update_fields=["report_path"])
    return Imported(report, run)
