"""The overdue watch (DESIGN §7): every minute from beat, escalating leader → manager → 督办, once per
deadline however often it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from workorders import signals
from workorders.actions.closing import rework_order
from workorders.actions.escalation import escalate_overdue
from workorders.actions.field_work import accept_order
from workorders.models import Escalation
from workorders.tasks import sla_watch

pytestmark = pytest.mark.django_db


def test_sla_watch_is_on_the_beat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["workorders.sla_watch"]
    assert (entry["task"], entry["schedule"]) == ("workorders.sla_watch", 60.0)
    assert "workorders.sla_watch" in celery_app.tasks


def test_sla_watch_runs_twice_and_escalates_once(make_order, django_capture_on_commit_callbacks):
    late = make_order("received", category="water.main_burst", now=timezone.now() - timedelta(hours=3))
    on_time = make_order("received", category="water.main_burst")
    sent = []

    def receiver(sender, order_id, level, deadline, **kwargs):
        sent.append((order_id, deadline, level))

    signals.order_escalated.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sla_watch.delay()
            sla_watch.delay()
    finally:
        signals.order_escalated.disconnect(receiver)
    rows = list(Escalation.objects.values_list("order_id", "deadline", "level").order_by("level"))
    assert rows == [(late.id, "respond", 1), (late.id, "respond", 2), (late.id, "respond", 3)]
    assert sorted(sent) == sorted(rows)
    assert late.events.filter(kind="escalate", actor=None).count() == 3
    late.refresh_from_db()
    assert late.supervised_at is not None  # the 督办 step
    assert not on_time.escalations.exists()


def test_levels_follow_how_late_the_deadline_is(make_order):
    order = make_order("received")  # normal: leader at once, manager after 2 h, 督办 after 24 h
    assert escalate_overdue(now=order.due_at + timedelta(minutes=1)) == 1
    assert escalate_overdue(now=order.due_at + timedelta(minutes=90)) == 0
    assert escalate_overdue(now=order.due_at + timedelta(hours=3)) == 1
    assert escalate_overdue(now=order.due_at + timedelta(hours=3)) == 0
    assert list(order.escalations.values_list("level", flat=True)) == [1, 2]


def test_each_deadline_escalates_on_its_own(make_order, worker):
    order = make_order("assigned", category="water.main_burst")
    escalate_overdue(now=order.respond_by + timedelta(minutes=1))
    accept_order(actor=worker.user, order_id=order.id, now=order.respond_by + timedelta(minutes=2))
    order.refresh_from_db()
    escalate_overdue(now=order.arrive_by + timedelta(minutes=1))
    assert list(order.escalations.values_list("deadline", "level")) == [("respond", 1), ("arrive", 1)]


def test_orders_on_hold_or_done_are_not_escalated(make_order):
    held = make_order("on_hold", category="water.main_burst")
    done = make_order("completed", category="water.main_burst")
    assert escalate_overdue(now=timezone.now() + timedelta(days=30)) == 0
    assert not Escalation.objects.filter(order__in=[held, done]).exists()


def test_a_rework_round_escalates_afresh(make_order, manager):
    order = make_order("completed", category="water.main_burst", now=timezone.now() - timedelta(days=2))
    rework_order(actor=manager, order_id=order.id, reason="返修", now=timezone.now() - timedelta(days=1))
    assert escalate_overdue() == 3
    assert set(order.escalations.values_list("round", flat=True)) == {1}
