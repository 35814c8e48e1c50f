"""The worker's SMS on assignment through a real `celery worker` against Redis and PostgreSQL (issue 15):
sent once per assignment, also when its delivery task runs twice and the signal's work is done again.

Run: DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… pytest -m celery_worker tests/feedback
(skipped otherwise; see the hook in tests/conftest.py)."""

from __future__ import annotations

import time

import pytest

from feedback import tasks
from feedback.actions.crew_notices import notify_worker_of_move
from feedback.models import Notification
from tests.feedback.test_celery_worker import broker, celery_worker, sent_keys, wait_until  # noqa: F401
from workorders.actions.dispatching import assign_order

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_assignment_sms_is_sent_once_when_the_task_runs_twice(
    broker,  # noqa: F811
    make_order,
    leader,
    worker,
    tmp_path,
):
    sms_file = tmp_path / "sms.jsonl"
    order = make_order("dispatched")
    with celery_worker(sms_file):
        assign_order(actor=leader.user, order_id=order.id, worker=worker)  # commits: signal → row → task
        event = order.events.get(kind="assign")
        key = f"worker_assigned:{order.id}:{event.id}"
        notification = Notification.objects.get(key=key)
        # The delivery task twice more, and the signal's work again: still one SMS.
        tasks.deliver_notification_task.delay(notification.id)
        tasks.deliver_notification_task.delay(notification.id)
        notify_worker_of_move(order_id=order.id, move="assign", event_id=event.id)
        wait_until(lambda: sent_keys(sms_file)[key] >= 1, what="the assignment SMS")
        time.sleep(2.0)  # let any duplicate show up
    assert sent_keys(sms_file)[key] == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.phone == worker.phone
    assert order.number in notification.body
