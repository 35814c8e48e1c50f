"""Notices to the crew (issue 15): the worker's SMS on a new assignment, a reminder (催单) and a 督办, once per
order and event; none when the worker turned SMS off; the overdue watch tells the leader, then the managers,
then the worker. The profile page where a worker turns SMS off."""

from datetime import timedelta

import pytest

from feedback import sms
from feedback.actions.crew_notices import notify_worker_of_move
from feedback.actions.notifications import deliver_notification
from feedback.models import Alert, Notification
from workorders.actions.dispatching import assign_order
from workorders.actions.escalation import escalate_overdue, remind_order, supervise_order

pytestmark = pytest.mark.django_db


def _worker_sms(worker):
    return [m for m in sms.outbox if m.phone == worker.phone]


@pytest.fixture
def assigned(make_order, leader, worker, django_capture_on_commit_callbacks):
    order = make_order("dispatched")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign_order(actor=leader.user, order_id=order.id, worker=worker)
    order.refresh_from_db()
    return order


def test_an_assignment_sends_the_worker_one_sms_with_number_address_and_deadline(assigned, worker):
    (message,) = _worker_sms(worker)
    assert assigned.number in message.body and assigned.location_label in message.body
    from django.utils import timezone

    assert timezone.localtime(assigned.due_at).strftime("%m-%d %H:%M") in message.body
    row = Notification.objects.get(kind="worker_assigned")
    assert (row.status, row.work_order_id, row.phone) == ("sent", assigned.id, worker.phone)


def test_the_same_event_twice_and_the_delivery_twice_send_one_sms(assigned, worker):
    event = assigned.events.get(kind="assign")
    again = notify_worker_of_move(order_id=assigned.id, move="assign", event_id=event.id)
    assert again.pk == Notification.objects.get(kind="worker_assigned").pk
    assert deliver_notification(notification_id=again.pk) is False  # already sent: nothing to claim
    assert len(_worker_sms(worker)) == 1


def test_a_reminder_and_a_supervision_each_reach_the_worker(
    assigned, worker, dispatcher, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remind_order(actor=dispatcher, order_id=assigned.id, note="住户再次来电")
        remind_order(actor=dispatcher, order_id=assigned.id, note="住户第三次来电")
        supervise_order(actor=manager, order_id=assigned.id, note="今天必须修好")
    kinds = sorted(Notification.objects.filter(phone=worker.phone).values_list("kind", flat=True))
    assert kinds == ["worker_assigned", "worker_reminded", "worker_reminded", "worker_supervised"]
    assert any("催单" in m.body for m in _worker_sms(worker)) or any(
        "called again" in m.body for m in _worker_sms(worker)
    )
    assert len(_worker_sms(worker)) == 4


def test_a_worker_who_turned_sms_off_gets_none_but_sees_the_order(
    make_order, leader, worker, worker_client, django_capture_on_commit_callbacks
):
    response = worker_client.post("/orders/profile/", {})  # the checkbox unticked
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.sms_notices is False
    order = make_order("dispatched")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign_order(actor=leader.user, order_id=order.id, worker=worker)
    assert _worker_sms(worker) == []
    assert not Notification.objects.filter(phone=worker.phone).exists()
    assert order.number in worker_client.get("/orders/mine/").content.decode()
    worker_client.post("/orders/profile/", {"sms_notices": "on"})
    worker.refresh_from_db()
    assert worker.sms_notices is True


def test_the_profile_page_is_only_for_crew_members(worker_client, dispatcher_client, anon_client, worker):
    page = worker_client.get("/orders/profile/")
    assert page.status_code == 200 and 'name="sms_notices"' in page.content.decode()
    assert dispatcher_client.get("/orders/profile/").status_code == 404
    assert dispatcher_client.post("/orders/profile/", {}).status_code == 404
    assert anon_client.get("/orders/profile/").status_code == 302


def test_the_overdue_watch_tells_the_leader_then_the_managers_then_the_worker(
    make_order, leader, worker, django_capture_on_commit_callbacks
):
    order = make_order("assigned")  # normal: leader at once, manager after 2 h, 督办 after 24 h
    sms.outbox.clear()
    Notification.objects.all().delete()
    late = order.due_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(now=late)
    (to_leader,) = _worker_sms(leader)
    assert order.number in to_leader.body and order.location_label in to_leader.body
    assert not Alert.objects.exists() and _worker_sms(worker) == []
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(now=late + timedelta(hours=2))
        escalate_overdue(now=late + timedelta(hours=2))  # the watch twice: nothing twice
    alert = Alert.objects.get()
    assert alert.kind == "order_overdue" and alert.work_order_id == order.id
    assert len(_worker_sms(leader)) == 1 and _worker_sms(worker) == []
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(now=late + timedelta(hours=25))
    (supervised,) = _worker_sms(worker)
    assert order.number in supervised.body
    assert Alert.objects.count() == 1 and len(_worker_sms(leader)) == 1


def test_a_leader_who_turned_sms_off_is_not_texted_about_overdue_orders(
    make_order, leader, django_capture_on_commit_callbacks
):
    leader.sms_notices = False
    leader.save(update_fields=["sms_notices"])
    order = make_order("dispatched")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(now=order.due_at + timedelta(minutes=1))
    assert _worker_sms(leader) == []
