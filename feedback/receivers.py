"""What feedback does when a work order changes (subscribed in apps.py). The signals arrive after commit;
each receiver only queues a thin task, so a slow SMS gateway never holds up the request."""

from __future__ import annotations

from django.db import transaction

from workorders.choices import Status

from .choices import NotificationKind


def on_order_created(sender, order_id: int, **kwargs) -> None:
    from .tasks import notify_order_task

    transaction.on_commit(lambda: notify_order_task.delay(order_id, NotificationKind.ORDER_RECEIVED))


def on_order_status_changed(sender, order_id: int, to_status: str = "", **kwargs) -> None:
    from .tasks import notify_order_task

    if to_status == Status.ACCEPTED:
        transaction.on_commit(lambda: notify_order_task.delay(order_id, NotificationKind.WORKER_ON_WAY))


def on_order_completed(sender, order_id: int, **kwargs) -> None:
    from .tasks import create_follow_up_task, notify_order_task

    transaction.on_commit(lambda: create_follow_up_task.delay(order_id))
    transaction.on_commit(lambda: notify_order_task.delay(order_id, NotificationKind.ORDER_COMPLETED))
