"""Thin Celery tasks over hotline.services; periodic ones are listed in CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="hotline.purge_screen_pops")
def purge_screen_pops_task() -> int:
    return services.purge_screen_pops()
