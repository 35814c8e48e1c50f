"""Large exports run as a Celery task; the browser polls the job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.celery import enqueue

from ..choices import ExportStatus
from ..models import ExportJob
from . import _task


def start_export(*, actor, kind: str, params: dict[str, Any], total: int) -> ExportJob:
    """Queue a large export as a Celery task (after commit); the browser polls the job for its progress."""
    job = ExportJob.objects.create(kind=kind, params=params, user=actor, total=total)
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(_task("run_export_task"), job_id))
    return job


def run_export(*, job_id: int, now: datetime | None = None) -> bool:
    """Write the export's workbook to default storage, saving progress every few hundred rows. The job is
    claimed by a conditional UPDATE (pending → running), so a retried task or a second worker does nothing."""
    from django.core.files.base import ContentFile

    from ..exports import orders_export

    now = now or timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=now
    ):
        return False
    job = ExportJob.objects.select_related("user").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        filename, content = orders_export(job.user, job.params, progress=progress)
        job.file.save(filename, ContentFile(content), save=False)
        ExportJob.objects.filter(pk=job_id).update(
            file=job.file.name, status=ExportStatus.DONE, finished_at=timezone.now()
        )
    except Exception as exc:  # the job must never stay "running" forever; the error is shown to the user
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    return True
