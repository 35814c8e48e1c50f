"""Faults that can be shown inside one process (the real service stops run from .ci/faults.sh):

(a) the broker is down while orders are created and completed → every request succeeds, the rows are the
    truth, and the periodic sweeps create the follow-ups and send each SMS exactly once afterwards;
(b) a worker killed mid-task: tests/feedback/test_celery_worker.py (marker celery_worker, a real worker);
(c) the database fails during a request → a clear 503 (Chinese page / JSON), and the next request works;
(d) two dispatchers acting on the same order → one wins, the other gets 409 (here sequentially through the API;
    the threaded race on PostgreSQL is tests/workorders/test_concurrency.py).
"""

from __future__ import annotations

import pytest
from celery.app.task import Task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from config.celery import app as celery_app
from feedback import sms
from feedback.models import FollowUp, Notification
from feedback.tasks import release_follow_ups_task, retry_notifications_task
from tests.factories import COMPLETE_KWARGS
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails the way kombu fails when Redis refuses connections."""
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(self.name)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    celery_app.conf.task_always_eager = False  # the autouse _celery_eager fixture restores it
    monkeypatch.setattr(Task, "apply_async", refuse)
    return attempts


def test_broker_down_requests_succeed_and_the_sweeps_catch_up_exactly_once(
    broker_down, monkeypatch, dispatcher, leader, worker, room, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    desk, crew_leader, crew_worker = _api(dispatcher), _api(leader.user), _api(worker.user)
    intake = {"phone": "13800138000", "call_type": "repair", "summary": "厨房漏水", "room": room.pk,
              "category": "water.leak_fitting", "crew": leader.crew_id}  # fmt: skip
    order_ids = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            created = desk.post("/api/v1/calls/", {**intake, "summary": f"漏水{i}"}, format="json")
            assert created.status_code == 201, created.content
            order_id = created.json()["work_order"]["id"]
            order_ids.append(order_id)
            steps = [
                (crew_leader, "assign", {"worker": worker.pk}),
                (crew_worker, "accept", {}),
                (crew_worker, "arrive", {}),
                (crew_worker, "complete", COMPLETE_KWARGS),
            ]
            for client, move, data in steps:
                response = client.post(f"/api/v1/work-orders/{order_id}/{move}/", data, format="json")
                assert response.status_code == 200, (move, response.content)
    assert broker_down, "the tasks were offered to the (dead) broker"
    assert WorkOrder.objects.filter(pk__in=order_ids, status="completed").count() == 3
    # Nothing lost: the SMS rows wait as pending, no follow-up exists yet, nothing was sent.
    pending = Notification.objects.filter(work_order_id__in=order_ids, status="pending")
    assert pending.count() == 12  # received, worker on the way, completed, the worker's new order × 3
    assert not FollowUp.objects.filter(work_order_id__in=order_ids).exists()
    assert sms.outbox == []

    # The broker is back: beat runs the sweeps (twice, as two beats or a retry might).
    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            release_follow_ups_task()
            retry_notifications_task()
    assert FollowUp.objects.filter(work_order_id__in=order_ids).count() == 3
    assert Notification.objects.filter(work_order_id__in=order_ids, status="sent").count() == 12
    keys = [m.key for m in sms.outbox]
    assert len(keys) == 12 and len(set(keys)) == 12  # each SMS exactly once


def test_a_database_failure_is_a_503_page_then_the_next_request_works(dispatcher_client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("hotline.views.board_orders", down)
    page = dispatcher_client.get("/desk/board/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    text = page.content.decode()
    assert "暂时" in text or "temporarily" in text
    assert "<script" not in text  # standalone page, nothing inline (CSP)
    monkeypatch.undo()
    assert dispatcher_client.get("/desk/board/").status_code == 200


def test_a_database_failure_under_the_api_is_a_503_json(dispatcher, monkeypatch):
    from django.db import InterfaceError

    def down(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("workorders.api.views.WorkOrderViewSet.get_queryset", down)
    response = _api(dispatcher).get("/api/v1/work-orders/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    monkeypatch.undo()
    assert _api(dispatcher).get("/api/v1/work-orders/").status_code == 200


def test_two_dispatchers_cancel_and_dispatch_the_same_order_the_second_gets_409(make_order, dispatcher, crew):
    from tests.factories import UserFactory

    order = make_order("received")
    first, second = _api(dispatcher), _api(UserFactory(username="t_dispatcher2", role="dispatcher"))
    assert (
        first.post(
            f"/api/v1/work-orders/{order.pk}/cancel/", {"reason": "duplicate"}, format="json"
        ).status_code
        == 200
    )
    late = second.post(f"/api/v1/work-orders/{order.pk}/dispatch/", {"crew": crew.pk}, format="json")
    assert late.status_code == 409
    assert late.json()["detail"]  # the service's message names the state the order is in
    order.refresh_from_db()
    assert order.status == "cancelled"
