"""Two beats at once (PostgreSQL row locks): each periodic claim has exactly one winner."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feedback import sms
from feedback.actions.complaints import escalate_overdue_complaints, register_complaint
from feedback.actions.rating_links import close_unreachable, send_due_rating_links
from feedback.models import FollowUp, Notification

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks across threads"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _twice_at_once(fn):
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return sorted(results)


def test_two_beats_send_one_rating_link(make_order):
    order = make_order("completed")  # autocommit: the follow-up task ran eagerly
    FollowUp.objects.filter(work_order=order).update(status="due", failed_attempts=3)
    sms.outbox.clear()
    assert _twice_at_once(send_due_rating_links) == [0, 1]
    assert Notification.objects.filter(kind="rating_link").count() == 1
    assert len([m for m in sms.outbox if "/feedback/r/" in m.body]) == 1


def test_two_beats_close_an_unreachable_follow_up_once(make_order):
    order = make_order("completed")
    FollowUp.objects.filter(work_order=order).update(
        status="link_sent", link_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert _twice_at_once(close_unreachable) == [0, 1]
    order.refresh_from_db()
    assert order.status == "closed" and order.events.filter(kind="close").count() == 1


def test_two_beats_escalate_a_complaint_once(dispatcher):
    register_complaint(
        actor=dispatcher,
        source="call",
        phone="",
        name="",
        summary="x",
        now=timezone.now() - timedelta(days=2),
    )
    assert _twice_at_once(escalate_overdue_complaints) == [0, 1]
