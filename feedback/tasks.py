"""Thin Celery tasks: ids in, one service call, safe to run twice (the services claim their work with
conditional UPDATEs and unique keys). Periodic ones are listed in CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task

from .actions.assessment import freeze_previous_month
from .actions.complaints import escalate_overdue_complaints
from .actions.exports import run_export
from .actions.follow_ups import ensure_follow_up, release_due_follow_ups, sweep_missing_follow_ups
from .actions.inspections import draw_inspection_sample
from .actions.notifications import deliver_notification, notifications_to_retry, notify_order
from .actions.rating_links import close_unreachable, send_due_rating_links, send_rating_link


@shared_task(name="feedback.create_follow_up")
def create_follow_up_task(order_id: int) -> int | None:
    follow_up = ensure_follow_up(order_id=order_id)
    return follow_up.pk if follow_up else None


@shared_task(name="feedback.notify_order")
def notify_order_task(order_id: int, kind: str) -> int | None:
    notification = notify_order(order_id=order_id, kind=kind)
    return notification.pk if notification else None


@shared_task(name="feedback.deliver_notification")
def deliver_notification_task(notification_id: int) -> bool:
    return deliver_notification(notification_id=notification_id)


@shared_task(name="feedback.send_rating_link")
def send_rating_link_task(follow_up_id: int) -> int | None:
    notification = send_rating_link(follow_up_id=follow_up_id)
    return notification.pk if notification else None


# --- Periodic (beat) -------------------------------------------------------------------------------------


@shared_task(name="feedback.release_follow_ups")
def release_follow_ups_task() -> dict[str, int]:
    """Create follow-ups a lost signal missed, then make the due ones visible in the queue."""
    created = sweep_missing_follow_ups()
    released = release_due_follow_ups()
    return {"created": created, "released": released}


@shared_task(name="feedback.send_rating_links")
def send_rating_links_task() -> int:
    return send_due_rating_links()


@shared_task(name="feedback.retry_notifications")
def retry_notifications_task(stale_after: int | None = None) -> int:
    """Deliver what is pending (a task lost with the broker, a stale claim of a killed worker, a failure)."""
    ids = notifications_to_retry(stale_after=stale_after)
    for notification_id in ids:
        deliver_notification(notification_id=notification_id)
    return len(ids)


@shared_task(name="feedback.close_unreachable")
def close_unreachable_task() -> int:
    return close_unreachable()


@shared_task(name="feedback.escalate_complaints")
def escalate_complaints_task() -> int:
    return escalate_overdue_complaints()


@shared_task(name="feedback.draw_inspection_sample")
def draw_inspection_sample_task() -> int:
    return draw_inspection_sample()


@shared_task(name="feedback.run_export")
def run_export_task(job_id: int) -> bool:
    return run_export(job_id=job_id)


@shared_task(name="feedback.freeze_previous_month")
def freeze_previous_month_task() -> int:
    """Monthly: publish last month's assessment (crew and worker) if a manager has not yet."""
    return freeze_previous_month()
