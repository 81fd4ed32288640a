"""The import page: upload CSV files with a mapping, see the validation
report, download it, and the list of past imports. Admins and managers only."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from onethread.imports.access import check_can_import
from onethread.imports.forms import ImportForm
from onethread.imports.mapping import MappingError
from onethread.imports.models import ImportRun
from onethread.imports.queries import recent_runs
from onethread.imports.report import ImportReport
from onethread.imports.uploads import Imported, import_uploads, max_upload_bytes, report_file

ERRORS_SHOWN = 200


def _render(
    request: HttpRequest,
    form: ImportForm,
    imported: Imported | None = None,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    report = imported.report if imported else None
    context = {
        "form": form,
        "imported": imported,
        "report": report,
        "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
        "errors_hidden": max(len(report.errors) - ERRORS_SHOWN, 0) if report else 0,
        "done": _done(report) if report else [],
        "problems": problems or [],
        "runs": recent_runs(),
        "max_upload_mb": max_upload_bytes() // 1048576,
        "nav": "imports",
    }
    return render(request, "imports/imports.html", context, status=status)


def _done(report: ImportReport) -> list[str]:
    """Created 3 accounts, Updated 1 contacts …"""
    return [
        f"{label} {count:,} {kind}"
        for label, counts in (("Created", report.created), ("Updated", report.updated))
        for kind, count in sorted(counts.items())
        if count
    ]


def _too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_upload_bytes() + 1024 * 1024  # room for the form around the files


@require_http_methods(["GET", "POST"])
def imports_page(request: HttpRequest) -> HttpResponse:
    check_can_import(request.user)
    if request.method == "GET":
        return _render(request, ImportForm())
    if _too_big(request):
        limit = max_upload_bytes() // 1048576
        problem = (
            f"The upload is larger than {limit} MB: import big files with `onethread import csv`."
        )
        return _render(request, ImportForm(), problems=[problem], status=413)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=422)
    data = form.cleaned_data
    try:
        imported = import_uploads(
            data["csv_files"],
            mapping_name=data["mapping"],
            mapping_upload=data["mapping_file"],
            skip_invalid=data["skip_invalid"],
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
    except MappingError as error:
        return _render(request, form, problems=[str(error)], status=422)
    if imported.report.committed:
        return _render(request, ImportForm(), imported)
    return _render(request, form, imported, status=422)  # keeps the mapping and options chosen


@require_GET
def import_report(request: HttpRequest, run_id: int) -> FileResponse:
    """The refused rows of an import made on this page, as CSV."""
    check_can_import(request.user)
    run = get_object_or_404(ImportRun, pk=run_id)
    path = report_file(run)
    if path is None:
        raise Http404("This import kept no report.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"import-{run.pk}-refused-rows.csv",
        content_type="text/csv",
    )
