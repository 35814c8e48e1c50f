"""Thin Celery tasks over workorders.services: safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="workorders.sla_watch", ignore_result=True)
def sla_watch() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): escalate orders whose next deadline has passed."""
    return services.escalate_overdue()
