"""Overdue rounds and hazards escalate like orders (the SLA watch, a beat task): the crew's leader by SMS at
once, the managers by an alert ESCALATE_TO_MANAGER_AFTER_HOURS later; each step once, also when the task runs
twice. A round skipped because nobody was on duty shows as missed."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse

from feedback.models import Alert, Notification
from operations.actions import hazards as h
from operations.actions import rounds as r
from operations.choices import ESCALATE_TO_MANAGER_AFTER_HOURS, ROUND_MISSED_AFTER_HOURS
from operations.models import Round
from operations.tasks import rounds_and_hazards_watch_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_round(area, crew, manager, leader, now):
    """A round due at 11:00 today that nobody was on duty for (so nobody was given it)."""
    r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[{"label": "泵体无渗漏", "kind": "pass_fail"}],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    r.generate_due_rounds(now=now)
    return Round.objects.get()


def _watch_twice(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        first = rounds_and_hazards_watch_task()
    with time_machine.travel(at, tick=False), capture(execute=True):
        second = rounds_and_hazards_watch_task()
    return first, second


def test_an_overdue_round_tells_the_leader_once_then_the_managers_once(
    due_round, leader, django_capture_on_commit_callbacks
):
    first, second = _watch_twice(due_round.due_at + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert first["rounds_escalated"] == 1 and second["rounds_escalated"] == 0
    sms = Notification.objects.get(kind="leader_round_late")
    assert sms.phone == leader.phone and "泵房日检" in sms.body
    assert not Alert.objects.exists()
    later = due_round.due_at + timedelta(hours=ESCALATE_TO_MANAGER_AFTER_HOURS, minutes=1)
    first, second = _watch_twice(later, django_capture_on_commit_callbacks)
    assert first["rounds_escalated"] == 1 and second["rounds_escalated"] == 0
    alert = Alert.objects.get()
    assert alert.kind == "round_overdue" and "泵房日检" in alert.message
    assert Notification.objects.filter(kind="leader_round_late").count() == 1
    due_round.refresh_from_db()
    assert due_round.escalation_level == 2


def test_a_round_finished_in_time_does_not_escalate(due_round, leader, django_capture_on_commit_callbacks):
    with time_machine.travel(due_round.due_at - timedelta(minutes=30), tick=False):
        r.start_round(actor=leader.user, round_id=due_round.pk)
        item = due_round.items.get()
        r.record_check(actor=leader.user, round_id=due_round.pk, item_id=item.pk, passed=True)
        r.finish_round(actor=leader.user, round_id=due_round.pk)
    _watch_twice(due_round.due_at + timedelta(hours=6), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists() and not Alert.objects.exists()


def test_a_very_late_round_takes_both_steps_in_one_run_once(due_round, django_capture_on_commit_callbacks):
    first, second = _watch_twice(due_round.due_at + timedelta(hours=6), django_capture_on_commit_callbacks)
    assert first["rounds_escalated"] == 2 and second["rounds_escalated"] == 0
    assert Notification.objects.filter(kind="leader_round_late").count() == 1
    assert Alert.objects.get(kind="round_overdue").round == due_round


def test_a_hazard_past_its_date_tells_the_leader_then_the_managers_once_each(
    area, worker, leader, now, django_capture_on_commit_callbacks, manager_client
):
    hazard = h.report_hazard(
        actor=worker.user, severity="critical", description="配电箱进水", facility=area["pump"], now=now
    )
    first, second = _watch_twice(hazard.due_at + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert (first["hazards_escalated"], second["hazards_escalated"]) == (1, 0)
    sms = Notification.objects.get(kind="leader_hazard_late")
    assert sms.phone == leader.phone and "配电箱进水" in sms.body
    later = hazard.due_at + timedelta(hours=ESCALATE_TO_MANAGER_AFTER_HOURS, minutes=1)
    first, second = _watch_twice(later, django_capture_on_commit_callbacks)
    assert (first["hazards_escalated"], second["hazards_escalated"]) == (1, 0)
    alert = Alert.objects.get()
    assert alert.kind == "hazard_overdue" and alert.hazard == hazard
    assert Notification.objects.filter(kind="leader_hazard_late").count() == 1
    # The manager opens the hazard from the alert.
    page = manager_client.get(reverse("feedback:complaints")).content.decode()
    assert f'href="{reverse("operations:hazard_detail", args=[hazard.pk])}"' in page


def test_a_rectified_hazard_does_not_escalate(area, worker, now, django_capture_on_commit_callbacks):
    hazard = h.report_hazard(
        actor=worker.user, severity="critical", description="配电箱进水", facility=area["pump"], now=now
    )
    h.start_rectifying(actor=worker.user, hazard_id=hazard.pk, now=now)
    h.mark_rectified(actor=worker.user, hazard_id=hazard.pk, now=now)
    _watch_twice(hazard.due_at + timedelta(hours=6), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists() and not Alert.objects.exists()


def test_a_round_nobody_was_on_duty_for_is_shown_as_missed(
    due_round, leader_client, django_capture_on_commit_callbacks
):
    assert due_round.worker is None
    _watch_twice(
        due_round.due_at + timedelta(hours=ROUND_MISSED_AFTER_HOURS, minutes=1),
        django_capture_on_commit_callbacks,
    )
    due_round.refresh_from_db()
    assert due_round.status == "missed" and "无人值班" in due_round.missed_reason
    page = leader_client.get(reverse("operations:round_list")).content.decode()
    assert "泵房日检" in page and "漏检" in page and "无人值班" in page
