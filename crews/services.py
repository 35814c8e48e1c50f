"""Writes about crews and staff: role groups, staff accounts, duty shifts."""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from importlib import import_module

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .choices import Role

logger = logging.getLogger(__name__)


def collect_role_permissions() -> dict[str, set[str]]:
    """Each app may declare `ROLE_MODEL_PERMISSIONS` in its permissions module; gathered like autodiscovery."""
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in django_apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        for role, codes in getattr(module, "ROLE_MODEL_PERMISSIONS", {}).items():
            wanted.setdefault(str(role), set()).update(codes)
    return wanted


def set_sms_notices(*, actor, enabled: bool) -> int:
    """The staff member's own choice whether new work, reminders and 督办 also reach them by SMS (their
    profile page). Only their own Worker row changes; returns how many rows did (0: no Worker row)."""
    from .models import Worker

    return Worker.objects.filter(user_id=actor.pk).update(sms_notices=bool(enabled))


@transaction.atomic
def sync_role_groups() -> None:
    """Create the four role groups and give each exactly the model permissions the apps declare.

    Idempotent; run after every migrate (crews.apps) so a newly landed app's permissions reach the groups.
    """
    for role, codes in collect_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for code in codes:
            app_label, codename = code.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))


# --- Register imports (places and residents, staff, facilities) ------------------------------------------


class ImportConflict(Exception):
    """The import is not in a state that allows this step (confirming twice, confirming a failed file…)."""


def _import_task(name: str):
    from . import tasks

    return getattr(tasks, name)


def _queue(task_name: str, job_id: int) -> None:
    from config.celery import enqueue

    transaction.on_commit(lambda: enqueue(_import_task(task_name), job_id))


def start_import(*, actor, kind: str, upload, language: str = "zh-hans", queue: bool = True):
    """Keep the uploaded file and start its preview (a task): nothing in the registers changes until the clerk
    confirms. Bad input (unknown kind, not a spreadsheet, too big, empty) is a ValidationError in Chinese."""
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from residents.tabular import EXTENSIONS

    from .models import ImportJob
    from .registers import REGISTERS

    if kind not in REGISTERS:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": _("Upload an .xlsx, .xls or .csv file.")})
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > settings.IMPORTS_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORTS_MAX_BYTES // 2**20}}
        )
    job = ImportJob(kind=kind, file_name=name[:200], created_by=actor, language=language[:10])
    job.file.save(name, upload, save=False)
    job.save()
    if queue:
        _queue("preview_import_task", job.pk)
    return job


def _fail(job_id: int, message: str) -> None:
    from django.utils import timezone

    from .choices import ImportStatus
    from .models import ImportJob

    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, failure=message[:300], finished_at=timezone.now()
    )


def _open_rows(job, register):
    """(file handle, layout, rows) of the job's file; the caller closes the handle."""
    from residents.tabular import read_rows

    handle = job.file.open("rb")
    try:
        layout, rows = read_rows(handle, job.file_name, register.columns)
        register.check_layout(layout)
    except Exception:
        handle.close()
        raise
    return handle, layout, rows


@contextmanager
def _fewer_collections():
    """A whole base's preview or import keeps half a million small objects alive until its end (rows seen, people
    per room, a batch's rows and plan); with the default thresholds the garbage collector scans them again and
    again (a quarter to a third of the CPU). They form no cycles to speak of: collect 70× less often meanwhile."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@_fewer_collections()
def preview_import(*, job_id: int) -> bool:
    """Read the whole file and plan every row against the registers without writing: the counts to create,
    update and leave unchanged, each error row with its spreadsheet row number, and (places) the residencies
    the file no longer lists. Safe to run twice: it only computes, then moves previewing → ready once."""
    from collections import Counter

    from django.conf import settings
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from residents.tabular import FileProblem, batches

    from .choices import ImportStatus
    from .models import ImportJob
    from .registers import REGISTERS

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PREVIEWING).first()
    if job is None:
        return False
    register = REGISTERS[job.kind]
    with translation.override(job.language):
        try:
            handle, layout, rows = _open_rows(job, register)
        except FileProblem as exc:
            _fail(job_id, str(exc))
            return True
        try:
            with handle:
                state = register.start(layout)
                counts: Counter[str] = Counter()
                errors: list[dict] = []
                seen = 0
                for batch in batches(rows, settings.IMPORTS_BATCH_ROWS):
                    plan = register.plan(batch, state, writing=False)
                    counts.update(outcome for _row, outcome in plan.outcomes)
                    errors += [e.as_dict() for e in sorted(plan.errors, key=lambda e: e.row)]
                    seen += len(batch)
                    ImportJob.objects.filter(pk=job_id).update(rows_done=seen, progress_at=timezone.now())
                moved = register.moved_out(state)
        except Exception as exc:  # a page polling a preview that never ends is worse than a clear failure
            logger.exception("preview of import %s failed", job_id)
            _fail(
                job_id, _("The file could not be checked (%(why)s); tell the administrator.") % {"why": exc}
            )
            return True
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.PREVIEWING).update(
        status=ImportStatus.READY,
        rows_total=seen,
        rows_done=0,
        created=counts["create"],
        updated=counts["update"],
        unchanged=counts["unchanged"],
        error_count=len(errors),
        errors=errors,
        ignored_columns=layout.ignored,
        moved_out_rows=moved,
        progress_at=timezone.now(),
    )
    return True


def confirm_import(*, actor, job_id: int, end_moved_out: bool = False, queue: bool = True):
    """The clerk confirms the preview: ready → running, and the import task starts (after commit). Any other
    state is an ImportConflict (a second click, a file that failed, an import already done)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .choices import ImportStatus
    from .models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.READY:
            raise ImportConflict(
                _("This import is %(status)s; only a checked file can be imported.")
                % {"status": job.get_status_display()}
            )
        job.status = ImportStatus.RUNNING
        job.end_moved_out = bool(end_moved_out) and bool(job.moved_out_rows)
        job.started_at = job.progress_at = timezone.now()
        job.rows_done = job.batches_done = job.created = job.updated = job.unchanged = job.error_count = 0
        job.errors = []
        job.save(
            update_fields=[
                "status",
                "end_moved_out",
                "started_at",
                "progress_at",
                "rows_done",
                "batches_done",
                "created",
                "updated",
                "unchanged",
                "error_count",
                "errors",
            ]
        )
        if queue:
            _queue("run_import_task", job.pk)
    return job


def resume_import(*, actor, job_id: int, queue: bool = True):
    """Start the import task again for a job a crash interrupted (running with no progress, or failed after it
    started): it carries on after the last committed batch. Anything else is an ImportConflict."""
    from django.utils.translation import gettext as _

    from .choices import ImportStatus
    from .models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ImportStatus.FAILED and job.started_at:
            job.status, job.failure, job.finished_at = ImportStatus.RUNNING, "", None
            job.save(update_fields=["status", "failure", "finished_at"])
        elif job.status != ImportStatus.RUNNING:
            raise ImportConflict(_("Only an interrupted import can be resumed."))
        if queue:
            _queue("run_import_task", job.pk)
    return job


def _fresh_state(register, layout, old):
    """The register's state reloaded from the database (after a rolled-back batch), keeping what the file
    has shown so far (rows seen, people per room, crews planned)."""
    state = register.start(layout)
    for name in ("seen", "people_in_file", "planned_crews", "unsure_rooms", "unsure_phones"):
        if hasattr(old, name):
            setattr(state, name, getattr(old, name))
    return state


def _apply_batch(register, layout, state, batch, *, actor):
    """Plan and write one batch; when the batch as a whole fails in the database, each row is retried alone in
    its own savepoint so a failed row never stops the others. Returns (plan outcomes, errors, state)."""
    from dataclasses import replace

    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    from residents.tabular import RowError

    plan = register.plan(batch, state, writing=True)
    try:
        with transaction.atomic():
            register.apply(plan, state, actor=actor)
        return plan.outcomes, plan.errors, state
    except DatabaseError:
        pass
    outcomes, errors = [], list(plan.errors)
    state = _fresh_state(register, layout, state)
    for row, _outcome in plan.outcomes:
        single = replace(state, seen={})
        try:
            with transaction.atomic():
                one = register.plan([row], single, writing=True)
                register.apply(one, single, actor=actor)
            outcomes += one.outcomes
            errors += one.errors
        except DatabaseError as exc:
            errors.append(
                RowError(row.number, "", _("Could not be saved: %(why)s") % {"why": str(exc)[:120]})
            )
            state = _fresh_state(register, layout, state)
    return outcomes, errors, state


def run_import(*, job_id: int) -> bool:
    """See `_run_import`; an unexpected error marks the import failed (with the reason) so it can be resumed,
    instead of leaving the page polling an import that no longer runs."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    try:
        return _run_import(job_id=job_id)
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        from .models import ImportJob

        job = ImportJob.objects.filter(pk=job_id).first()
        with translation.override(job.language if job else None):
            _fail(
                job_id, _("The import stopped (%(why)s); resume it or tell the administrator.") % {"why": exc}
            )
        return True


@_fewer_collections()
def _run_import(*, job_id: int) -> bool:
    """Import a confirmed file batch by batch. Each batch's writes, its audit rows and the job's progress
    (`batches_done`, counts, errors) commit together under a lock on the job, so a crash leaves whole batches
    only and a re-run skips exactly the batches already committed: resumed or re-run, the final state is the
    one clean run gives. Two runs at once do each batch once. The end: moved-out residencies ended when the
    clerk chose so, the job done, and one audit entry for the whole import."""
    import time

    from django.conf import settings
    from django.utils import translation

    from residents.tabular import FileProblem, batches

    from .choices import ImportStatus
    from .models import ImportJob
    from .registers import REGISTERS

    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RUNNING:
        return False
    register, actor = REGISTERS[job.kind], job.created_by
    with translation.override(job.language):
        try:
            handle, layout, rows = _open_rows(job, register)
        except FileProblem as exc:
            _fail(job_id, str(exc))
            return True
        with handle:
            state = register.start(layout)
            for index, batch in enumerate(batches(rows, settings.IMPORTS_BATCH_ROWS)):
                if index < job.batches_done:  # committed before a crash: only note what the file held
                    register.plan(batch, state, writing=False)
                    continue
                with transaction.atomic():
                    locked = ImportJob.objects.select_for_update().get(pk=job_id)
                    if locked.status != ImportStatus.RUNNING:
                        return False
                    if locked.batches_done > index:  # another run did this batch meanwhile
                        register.plan(batch, state, writing=False)
                        continue
                    outcomes, errors, state = _apply_batch(register, layout, state, batch, actor=actor)
                    _record_batch(locked, index, batch, outcomes, errors)
                if settings.IMPORTS_BATCH_PAUSE:
                    time.sleep(settings.IMPORTS_BATCH_PAUSE)
        return _finish_import(job_id, register, actor)


def _record_batch(locked, index: int, batch, outcomes, errors) -> None:
    """The job's progress after one batch, saved in the batch's transaction (the job row is locked)."""
    from collections import Counter

    from django.utils import timezone

    counts = Counter(outcome for _row, outcome in outcomes)
    locked.batches_done = index + 1
    locked.rows_done += len(batch)
    locked.created += counts["create"]
    locked.updated += counts["update"]
    locked.unchanged += counts["unchanged"]
    locked.error_count += len(errors)
    locked.errors = locked.errors + [e.as_dict() for e in sorted(errors, key=lambda e: e.row)]
    locked.progress_at = timezone.now()
    locked.save(
        update_fields=[
            *("batches_done", "rows_done", "created", "updated", "unchanged"),
            *("error_count", "errors", "progress_at"),
        ]
    )


def _finish_import(job_id: int, register, actor) -> bool:
    """The import's end, once: moved-out residencies ended when the clerk chose so, the job done, and one audit
    entry for the whole import. False when another run finished it (or it was stopped) meanwhile."""
    from django.utils import timezone

    from residents.models import AuditEntry
    from residents.services import record_audit

    from .choices import ImportStatus
    from .models import ImportJob

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.status != ImportStatus.RUNNING:
            return False
        if locked.end_moved_out:
            locked.ended = register.end_residencies(
                [m["residency"] for m in locked.moved_out_rows], actor=actor
            )
        locked.status = ImportStatus.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["ended", "status", "finished_at"])
        record_audit(
            actor=actor,
            obj=locked,
            action=AuditEntry.Action.ADD,
            changes={
                "file_name": [None, locked.file_name],
                "kind": [None, locked.kind],
                "rows": [None, locked.rows_done],
                "created": [None, locked.created],
                "updated": [None, locked.updated],
                "unchanged": [None, locked.unchanged],
                "errors": [None, locked.error_count],
                "residencies_ended": [None, locked.ended],
            },
        )
    return True


def import_template(kind: str) -> bytes:
    """The register's template: its Chinese headers and one example row."""
    from residents.tabular import write_workbook

    from .registers import REGISTERS

    register = REGISTERS[kind]
    columns = register.template_columns
    return write_workbook(
        [c.header for c in columns],
        [register.example_row()],
        title=register.sheet_title,
        widths=[c.width for c in columns],
    )


def export_register(kind: str, target=None) -> bytes:
    """The whole register in the template's layout, so export → edit in Excel → import is a round trip."""
    from residents.tabular import write_workbook

    from .registers import REGISTERS

    register = REGISTERS[kind]
    columns = register.template_columns
    return write_workbook(
        [c.header for c in columns],
        register.export_rows(),
        title=register.sheet_title,
        widths=[c.width for c in columns],
        target=target,
    )


def error_report(job) -> bytes:
    """The rows that failed, in the register's columns as the clerk wrote them (the template's, plus any other
    known column the file used, such as a one-cell address), and a last column saying what is wrong: fix the
    cells and upload the file again (the last column is ignored)."""
    from django.utils import translation

    from residents.tabular import MESSAGE_HEADER, FileProblem, raw_rows, write_workbook

    from .registers import REGISTERS

    register = REGISTERS[job.kind]
    messages: dict[int, list[str]] = {}
    for error in job.errors:
        text = f"{error['column']}：{error['message']}" if error["column"] else error["message"]
        messages.setdefault(error["row"], []).append(text)
    try:
        handle, layout, _rows = _open_rows(job, register)
        handle.close()
    except FileProblem:
        layout = None
    columns = [c for c in register.columns if c.in_template or (layout and c.key in layout.index)]
    with translation.override(job.language):
        header = [c.header for c in columns] + [str(MESSAGE_HEADER)]

    def rows():
        if layout is None:
            return
        with job.file.open("rb") as handle:
            for number, values in enumerate(raw_rows(handle, job.file_name), start=1):
                if number in messages:
                    where = [layout.index.get(c.key) for c in columns]
                    cells = [values[i] if i is not None and i < len(values) else "" for i in where]
                    yield [*cells, "；".join(messages[number])]

    return write_workbook(
        header, rows(), title=register.sheet_title, widths=[c.width for c in columns] + [50]
    )
