"""Thin Celery tasks over workorders.actions: safe to run twice."""

from celery import shared_task

from .actions.escalation import escalate_overdue


@shared_task(name="workorders.sla_watch", ignore_result=True)
def sla_watch() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): escalate orders whose next deadline has passed."""
    return escalate_overdue()
