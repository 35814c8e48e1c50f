"""Thin Celery tasks of the register imports: an id in, one service call, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="crews.preview_import")
def preview_import_task(job_id: int) -> bool:
    return services.preview_import(job_id=job_id)


# A whole base takes about a minute; a slow database must not hit the default five-minute limit mid-file.
@shared_task(name="crews.run_import", soft_time_limit=3000, time_limit=3600)
def run_import_task(job_id: int) -> bool:
    return services.run_import(job_id=job_id)
