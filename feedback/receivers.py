"""What feedback does when a work order changes (subscribed in apps.py). The signals arrive after the order's
commit. The resident's SMS is written as a Notification row right here (one INSERT: the row is the truth, so a
broker that loses the delivery task loses nothing — the retry sweep finds the pending row); its delivery and
the follow-up's creation are Celery tasks queued on commit (the follow-up sweep covers a lost one)."""

from __future__ import annotations

import logging

from django.db import transaction

from config.celery import enqueue
from workorders.choices import Status

from .choices import NotificationKind

logger = logging.getLogger(__name__)


def _notify(order_id: int, kind: str, order=None) -> None:
    from .actions.notifications import notify_order

    try:
        notify_order(order_id=order_id, kind=kind, order=order)
    except Exception:  # the order is committed; a notification problem must not turn its request into a 500
        logger.exception("could not queue the %s SMS for order %s", kind, order_id)


def on_order_created(sender, order_id: int, order=None, **kwargs) -> None:
    _notify(order_id, NotificationKind.ORDER_RECEIVED, order=order)


def on_order_status_changed(sender, order_id: int, to_status: str = "", **kwargs) -> None:
    if to_status == Status.ACCEPTED:
        _notify(order_id, NotificationKind.WORKER_ON_WAY)


def on_order_completed(sender, order_id: int, **kwargs) -> None:
    from .tasks import create_follow_up_task

    transaction.on_commit(lambda: enqueue(create_follow_up_task, order_id))
    _notify(order_id, NotificationKind.ORDER_COMPLETED)


def on_order_moved(sender, order_id: int, move: str = "", event_id: int | None = None, **kwargs) -> None:
    """A worker's SMS about new work, a reminder or a supervision (feedback.crew_notices)."""
    from .actions.crew_notices import WORKER_MESSAGES, notify_worker_of_move

    if move not in WORKER_MESSAGES:
        return
    try:
        notify_worker_of_move(order_id=order_id, move=move, event_id=event_id)
    except Exception:  # the move is committed; a notice problem must not turn its request into a 500
        logger.exception("could not queue the %s notice for order %s", move, order_id)


def on_order_escalated(sender, order_id: int, level: int = 0, deadline: str = "", **kwargs) -> None:
    """The overdue watch took a step: tell the leader, then the managers, then the worker."""
    from .actions.crew_notices import notify_escalation

    try:
        notify_escalation(order_id=order_id, level=level, deadline=deadline)
    except Exception:
        logger.exception("could not notify the escalation of order %s", order_id)


def on_round_escalated(sender, round_id: int, level: int = 0, **kwargs) -> None:
    """A round is overdue: its crew's leaders, then the managers."""
    from .actions.crew_notices import notify_round_escalation

    try:
        notify_round_escalation(round_id=round_id, level=level)
    except Exception:
        logger.exception("could not notify the escalation of round %s", round_id)


def on_hazard_escalated(sender, hazard_id: int, level: int = 0, **kwargs) -> None:
    """A hazard is past its rectification date: its crew's leaders, then the managers."""
    from .actions.crew_notices import notify_hazard_escalation

    try:
        notify_hazard_escalation(hazard_id=hazard_id, level=level)
    except Exception:
        logger.exception("could not notify the escalation of hazard %s", hazard_id)
