"""Thin Celery tasks over operations.services: ids in, one service call, safe to run twice. Periodic ones are
listed in CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task

from config.celery import enqueue

from . import services


@shared_task(name="operations.send_outage_notices")
def send_outage_notices_task(run_id: int) -> int:
    """One batch of a run's notices; queues itself again while some remain."""
    claimed = services.send_notice_batch(run_id=run_id)
    if claimed >= services.NOTICE_BATCH_SIZE:
        enqueue(send_outage_notices_task, run_id)
    return claimed


@shared_task(name="operations.queue_due_outage_notices")
def queue_due_outage_notices_task() -> int:
    """Every minute: start the advance notices and reminders that have come due."""
    return services.queue_due_notices()


@shared_task(name="operations.retry_outage_notices")
def retry_outage_notices_task(stale_after: int | None = None) -> int:
    """Re-queue runs with pending notices (a lost task, a killed worker's stale claim, a failure)."""
    kwargs = {} if stale_after is None else {"stale_after": stale_after}
    run_ids = services.runs_to_retry(**kwargs)
    for run_id in run_ids:
        enqueue(send_outage_notices_task, run_id)
    return len(run_ids)


@shared_task(name="operations.rounds_and_hazards_watch")
def rounds_and_hazards_watch_task() -> dict[str, int]:
    """Every few minutes: generate today's due rounds (once each), mark the missed ones, escalate overdue rounds
    and hazards (each level once)."""
    from .actions import hazards, rounds

    return {
        "generated": rounds.generate_due_rounds(),
        "missed": rounds.mark_missed_rounds(),
        "rounds_escalated": rounds.escalate_overdue_rounds(),
        "hazards_escalated": hazards.escalate_overdue_hazards(),
    }
