"""Service commitments turned into deadlines (DESIGN §4): emergencies on the clock 24×7, normal orders on the
working calendar, planned jobs in working days, appointments by their slot; hold time never counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workorders.actions.closing import rework_order
from workorders.actions.field_work import arrive_order, hold_order, resume_order
from workorders.models import Holiday
from workorders.selectors import overdue

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_emergency_at_2350_runs_on_the_clock_with_the_night_arrival_limit(make_order):
    order = make_order("received", category="water.main_burst", now=at(2026, 12, 2, 23, 50))
    assert order.urgency == "emergency"
    assert order.respond_by == at(2026, 12, 2, 23, 55)  # 5 min
    assert order.arrive_by == at(2026, 12, 3, 0, 35)  # 45 min at night, not 30
    assert order.complete_by == at(2026, 12, 3, 3, 50)  # 4 h, across midnight
    assert order.due_at == order.respond_by


def test_emergency_by_day_arrives_within_30_minutes(make_order):
    order = make_order("received", category="water.main_burst", now=at(2026, 12, 2, 10, 0))
    assert order.arrive_by == at(2026, 12, 2, 10, 30)


def test_normal_order_on_friday_evening_before_a_monday_holiday_responds_tuesday_0830(make_order):
    Holiday.objects.create(date=date(2026, 12, 7), name="调休假")
    friday_evening = at(2026, 12, 4, 19, 10)
    order = make_order("received", category="water.leak_fitting", now=friday_evening)
    assert order.urgency == "normal"
    assert order.respond_by == at(2026, 12, 8, 8, 30)  # not Saturday, Sunday or the Monday holiday
    assert order.arrive_by == friday_evening + timedelta(hours=24)
    assert order.complete_by == friday_evening + timedelta(days=3)


def test_normal_order_late_in_the_day_counts_only_working_minutes(make_order):
    order = make_order("received", now=at(2026, 12, 2, 18, 20))  # 10 min before closing
    assert order.respond_by == at(2026, 12, 3, 8, 50)  # the other 20 min the next morning


def test_normal_order_in_working_hours_responds_within_30_minutes(make_order):
    order = make_order("received", now=at(2026, 12, 2, 10, 0))
    assert order.respond_by == at(2026, 12, 2, 10, 30)


def test_planned_job_counts_working_days_and_an_adjusted_working_saturday(make_order):
    order = make_order("received", urgency="planned", now=at(2026, 12, 2, 10, 0))  # a Wednesday
    assert order.respond_by == at(2026, 12, 7, 18, 30)  # Thu, Fri, Mon: 3 working days
    assert order.arrive_by is None
    assert order.complete_by == at(2026, 12, 16, 18, 30)  # 10 working days
    Holiday.objects.create(date=date(2026, 12, 5), name="调休上班", is_working_day=True)
    again = make_order("received", urgency="planned", now=at(2026, 12, 2, 10, 0))
    assert again.respond_by == at(2026, 12, 5, 18, 30)  # Thu, Fri, the working Saturday


def test_appointment_arrives_in_its_slot(make_order):
    slot = at(2026, 12, 3, 15, 0)
    order = make_order("received", urgency="appointment", appointment_at=slot, now=at(2026, 12, 2, 10, 0))
    assert order.respond_by == at(2026, 12, 2, 12, 0)  # confirm within 2 h
    assert order.arrive_by == slot + timedelta(minutes=30)
    assert order.complete_by == slot + timedelta(days=1)


def test_appointment_without_a_slot_is_refused(make_order):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_order("received", urgency="appointment")
    assert "appointment_at" in error.value.message_dict


def test_hold_and_resume_shift_the_unmet_deadlines_by_exactly_the_held_time(make_order, leader, worker):
    t0 = at(2026, 12, 2, 10, 0)
    order = make_order("accepted", category="water.main_burst", now=t0)
    before = (order.respond_by, order.arrive_by, order.complete_by)
    hold_order(actor=leader.user, order_id=order.id, reason="needs_outage", now=t0 + timedelta(minutes=10))
    order.refresh_from_db()
    assert order.due_at is None  # paused: never overdue while on hold
    assert not overdue(t0 + timedelta(days=9)).filter(pk=order.pk).exists()
    resume_order(actor=leader.user, order_id=order.id, now=t0 + timedelta(minutes=47))
    order.refresh_from_db()
    held = timedelta(minutes=37)
    assert order.respond_by == before[0]  # already met (accepted): does not move
    assert order.arrive_by == before[1] + held
    assert order.complete_by == before[2] + held
    assert order.held_seconds == 37 * 60
    assert order.due_at == order.arrive_by
    # A second hold adds up; arrival is met by then, so only completion moves.
    arrive_order(actor=worker.user, order_id=order.id, now=t0 + timedelta(minutes=50))
    hold_order(actor=leader.user, order_id=order.id, reason="waiting_parts", now=t0 + timedelta(minutes=60))
    resume_order(actor=worker.user, order_id=order.id, now=t0 + timedelta(minutes=72, seconds=30))
    order.refresh_from_db()
    assert order.status == "on_site"
    assert order.arrive_by == before[1] + held
    assert order.complete_by == before[2] + held + timedelta(minutes=12, seconds=30)
    assert order.held_seconds == 37 * 60 + 12 * 60 + 30


def test_overdue_is_the_next_unmet_deadline(make_order):
    t0 = at(2026, 12, 2, 10, 0)
    order = make_order("received", category="water.main_burst", now=t0)
    assert not overdue(t0 + timedelta(minutes=4)).filter(pk=order.pk).exists()
    assert overdue(t0 + timedelta(minutes=6)).filter(pk=order.pk).exists()
    accepted = make_order("accepted", category="water.main_burst", now=t0)
    assert accepted.due_at == accepted.arrive_by
    done = make_order("completed", now=t0)
    assert done.due_at is None


def test_rework_stamps_fresh_deadlines_from_now(make_order, manager):
    t0 = at(2026, 12, 2, 10, 0)
    order = make_order("completed", category="water.main_burst", now=t0)
    rework_order(actor=manager, order_id=order.id, reason="回访不满意", now=t0 + timedelta(days=2))
    order.refresh_from_db()
    assert order.respond_by == t0 + timedelta(days=2, minutes=5)
    assert order.due_at == order.respond_by
