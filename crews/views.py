"""The register import page (managers and admins): upload, preview, confirm, watch the progress, download the
error report; templates and exports of the same registers. Thin: the work is in crews.services."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from residents.tabular import XLSX, format_row_message

from . import selectors, services
from .choices import ImportKind, ImportStatus
from .forms import ConfirmForm, ImportForm
from .permissions import can_import_registers
from .registers import REGISTERS

SHOWN_ROWS = 200  # errors and moved-out residents listed on the page; the rest are in the error report
STALLED_AFTER = timedelta(minutes=2)  # a running import without progress this long may be resumed


def _require(user) -> None:
    if not can_import_registers(user):
        raise PermissionDenied(_("Only managers may import or export the registers."))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _kind(kind: str) -> str:
    if kind not in REGISTERS:
        raise Http404
    return kind


@login_required
def import_list(request):
    """Choose a register, download its template or the current data, upload a file; past imports below."""
    _require(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.start_import(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    language=translation.get_language() or "zh-hans",
                )
                return redirect("crews:import", pk=job.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
        status = 400
    jobs = selectors.import_jobs_visible_to(request.user)[:20]
    kinds = [(value, label) for value, label in ImportKind.choices]
    return render(
        request, "crews/importjob_list.html", {"form": form, "jobs": jobs, "kinds": kinds}, status=status
    )


def _context(job) -> dict:
    now = timezone.now()
    seconds = job.seconds_left(now)
    return {
        "job": job,
        "error_lines": [
            (format_row_message(e["row"], e["message"]), e["column"]) for e in job.errors[:SHOWN_ROWS]
        ],
        "moved_out": job.moved_out_rows[:SHOWN_ROWS],
        "confirm_form": ConfirmForm(),
        "minutes_left": None if seconds is None else seconds // 60,
        "seconds_left": None if seconds is None else seconds % 60,
        "stalled": job.status == ImportStatus.RUNNING
        and job.progress_at
        and now - job.progress_at > STALLED_AFTER,
        "polling": job.status in (ImportStatus.PREVIEWING, ImportStatus.RUNNING),
    }


@login_required
def import_detail(request, pk: int):
    """The preview (counts, error rows, moved-out residents, confirm) and then the progress, which htmx polls
    every second while the file is checked or imported."""
    _require(request.user)
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    if request.htmx and not request.htmx.boosted:
        return render(request, "crews/partials/importjob_state.html", _context(job))
    return render(request, "crews/importjob_detail.html", _context(job))


@login_required
@require_POST
def import_confirm(request, pk: int):
    _require(request.user)
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        services.confirm_import(
            actor=request.user,
            job_id=job.pk,
            end_moved_out=bool(form.cleaned_data.get("end_moved_out_residencies")),
        )
    except services.ImportConflict as exc:
        messages.error(request, str(exc))
    return redirect("crews:import", pk=job.pk)


@login_required
@require_POST
def import_resume(request, pk: int):
    _require(request.user)
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    try:
        services.resume_import(actor=request.user, job_id=job.pk)
    except services.ImportConflict as exc:
        messages.error(request, str(exc))
    return redirect("crews:import", pk=job.pk)


@login_required
def import_errors(request, pk: int):
    """The failed rows as .xlsx with a message column, to fix and upload again."""
    _require(request.user)
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    return _xlsx(services.error_report(job), f"import-{job.pk}-errors.xlsx")


@login_required
def import_template(request, kind: str):
    _require(request.user)
    return _xlsx(services.import_template(_kind(kind)), f"template-{kind}.xlsx")


@login_required
def register_export(request, kind: str):
    """The whole register in the template's layout (edit it in Excel and import it again)."""
    _require(request.user)
    return _xlsx(services.export_register(_kind(kind)), f"{kind}-{timezone.localdate():%Y%m%d}.xlsx")
