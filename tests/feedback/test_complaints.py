from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.actions.complaints import (
    ComplaintTransitionNotAllowed,
    close_complaint,
    complaint_from_follow_up,
    escalate_overdue_complaints,
    investigate_complaint,
    register_complaint,
    resolve_complaint,
)
from feedback.actions.follow_ups import record_attempt
from feedback.actions.inspections import draw_inspection_sample, record_inspection
from feedback.actions.praise import record_praise
from feedback.choices import COMPLAINT_TRANSITIONS, ComplaintStatus
from feedback.models import Alert, Complaint, ComplaintType, Praise, QualityInspection
from workorders.models import Holiday

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db

RESOLVE = {
    "valid": True,
    "findings": "经查，维修工未穿鞋套，态度生硬",
    "responsible_person": "张师傅",
    "accountability": "points",
    "points": 2,
    "rectification": "班组内通报，重新培训服务规范",
}


def _aware(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def complaint(dispatcher, make_order):
    order = make_order("completed")
    return register_complaint(
        actor=dispatcher,
        source="call",
        phone="13800138000",
        name="王大妈",
        summary="维修工态度不好",
        work_order=order,
        type=ComplaintType.objects.get(code="attitude"),
        now=MONDAY_10,
    )


def test_types_are_seeded_as_editable_data():
    codes = set(ComplaintType.objects.values_list("code", flat=True))
    assert {"attitude", "quality", "timeliness", "charges", "conduct"} <= codes
    assert ComplaintType.objects.get(code="conduct").is_conduct


def test_register_takes_crew_and_worker_from_the_order(complaint, crew, worker):
    assert complaint.status == "received"
    assert complaint.crew == crew and complaint.worker == worker
    assert complaint.events.get().kind == "received"


def test_deadlines_follow_design_section_4(complaint, dispatcher):
    assert complaint.contact_by == MONDAY_10 + timedelta(hours=24)
    assert timezone.localtime(complaint.decide_by) == _aware(2026, 11, 26, 18, 30)  # Thursday, 3 working days
    assert timezone.localtime(complaint.close_by) == _aware(2026, 12, 2, 18, 30)  # 7 working days
    urgent = register_complaint(
        actor=dispatcher,
        source="window",
        phone="",
        name="",
        summary="收费不合理",
        severity="urgent",
        now=MONDAY_10,
    )
    assert urgent.contact_by == MONDAY_10 + timedelta(hours=2)


def test_holidays_do_not_count_as_working_days(dispatcher):
    Holiday.objects.create(date=_aware(2026, 11, 24, 0, 0).date(), name="假日")
    c = register_complaint(actor=dispatcher, source="call", phone="", name="", summary="x", now=MONDAY_10)
    assert timezone.localtime(c.decide_by) == _aware(2026, 11, 27, 18, 30)


def test_register_rejects_bad_input_and_writes_nothing(dispatcher, crew, other_leader):
    with pytest.raises(ValidationError) as err:
        register_complaint(actor=dispatcher, source="call", phone="", name="", summary="  ")
    assert "summary" in err.value.message_dict
    with pytest.raises(ValidationError):
        register_complaint(actor=dispatcher, source="fax", phone="", name="", summary="x")
    with pytest.raises(ValidationError):
        register_complaint(
            actor=dispatcher, source="call", phone="", name="", summary="x", crew=crew, worker=other_leader
        )
    assert not Complaint.objects.exists()


def test_crews_cannot_register_complaints(leader, worker):
    for user in (leader.user, worker.user):
        with pytest.raises(PermissionDenied):
            register_complaint(actor=user, source="call", phone="", name="", summary="x")


def test_lifecycle_received_investigating_resolved_closed(complaint, manager):
    c = investigate_complaint(actor=manager, complaint_id=complaint.id, note="已电话联系")
    assert c.status == "investigating" and c.contacted_at is not None and c.handler == manager
    c = resolve_complaint(actor=manager, complaint_id=complaint.id, **RESOLVE)
    assert c.status == "resolved" and c.valid and c.points == 2 and c.responsible_person == "张师傅"
    c = close_complaint(
        actor=manager, complaint_id=complaint.id, callback_note="已回访，住户认可", callback_satisfied=True
    )
    assert c.status == "closed" and c.callback_satisfied and c.closed_at
    assert list(c.events.values_list("kind", flat=True)) == ["received", "investigate", "resolve", "close"]


@pytest.mark.parametrize("start", list(ComplaintStatus.values))
@pytest.mark.parametrize("action", list(COMPLAINT_TRANSITIONS))
def test_complaint_transition_grid(complaint, manager, start, action):
    """Every (state, action) pair is either allowed (the table), a repeat no-op, or rejected."""
    path = ["received", "investigating", "resolved", "closed"]
    steps = {
        "investigating": lambda: investigate_complaint(actor=manager, complaint_id=complaint.id),
        "resolved": lambda: resolve_complaint(actor=manager, complaint_id=complaint.id, **RESOLVE),
        "closed": lambda: close_complaint(
            actor=manager, complaint_id=complaint.id, callback_note="ok", callback_satisfied=True
        ),
    }
    for state in path[1 : path.index(start) + 1]:
        steps[state]()
    sources, target = COMPLAINT_TRANSITIONS[action]
    call = steps[target]
    if start in sources or start == target:
        assert call().status == target
    else:
        with pytest.raises(ComplaintTransitionNotAllowed):
            call()
        complaint.refresh_from_db()
        assert complaint.status == start


def test_only_managers_handle_complaints(complaint, dispatcher, leader):
    for user in (dispatcher, leader.user):
        with pytest.raises(PermissionDenied):
            investigate_complaint(actor=user, complaint_id=complaint.id)
    complaint.refresh_from_db()
    assert complaint.status == "received"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"findings": ""}, "findings"),
        ({"responsible_person": ""}, "responsible_person"),
        ({"valid": None}, "valid"),
        ({"valid": False}, "accountability"),  # an invalid complaint carries no accountability
        ({"accountability": "points", "points": 0}, "points"),
        ({"accountability": "fine", "fine": "0"}, "fine"),
        ({"rectification": ""}, "rectification"),
    ],
)
def test_a_decision_names_findings_and_responsible_person(complaint, manager, change, field):
    investigate_complaint(actor=manager, complaint_id=complaint.id)
    with pytest.raises(ValidationError) as err:
        resolve_complaint(actor=manager, complaint_id=complaint.id, **{**RESOLVE, **change})
    assert field in err.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == "investigating" and complaint.decided_at is None


def test_fine_is_kept_as_decimal(complaint, manager):
    investigate_complaint(actor=manager, complaint_id=complaint.id)
    c = resolve_complaint(
        actor=manager, complaint_id=complaint.id, **{**RESOLVE, "accountability": "fine", "fine": "50.5"}
    )
    assert c.fine == Decimal("50.50") and c.points == 0


def test_overdue_complaints_escalate_once_per_missed_deadline(complaint, manager):
    # 25 hours later: the complainant was not contacted.
    t = MONDAY_10 + timedelta(hours=25)
    assert escalate_overdue_complaints(now=t) == 1
    assert escalate_overdue_complaints(now=t) == 0
    complaint.refresh_from_db()
    assert complaint.escalation == 1
    alert = Alert.objects.get()
    assert alert.kind == "complaint_overdue" and alert.complaint == complaint
    # Contacted, but not decided within 3 working days → the next stage, one more alert.
    investigate_complaint(actor=manager, complaint_id=complaint.id)
    t = complaint.decide_by + timedelta(minutes=1)
    assert escalate_overdue_complaints(now=t) == 1
    assert escalate_overdue_complaints(now=t) == 0
    assert Alert.objects.count() == 2


def test_a_complaint_handled_in_time_never_escalates(complaint, manager):
    investigate_complaint(actor=manager, complaint_id=complaint.id, now=MONDAY_10 + timedelta(hours=1))
    resolve_complaint(actor=manager, complaint_id=complaint.id, now=MONDAY_10 + timedelta(hours=2), **RESOLVE)
    close_complaint(
        actor=manager,
        complaint_id=complaint.id,
        callback_note="ok",
        callback_satisfied=True,
        now=MONDAY_10 + timedelta(hours=3),
    )
    assert escalate_overdue_complaints(now=MONDAY_10 + timedelta(days=30)) == 0
    assert not Alert.objects.exists()


def test_a_follow_up_comment_becomes_a_complaint_in_one_click(follow_up, dispatcher):
    from .conftest import REACHED_OK

    record_attempt(
        actor=dispatcher,
        follow_up_id=follow_up.id,
        **{**REACHED_OK, "verdict": "dissatisfied", "comment": "师傅收费太高"},
    )
    c = complaint_from_follow_up(actor=dispatcher, follow_up_id=follow_up.id)
    assert c.source == "follow_up" and c.summary == "师傅收费太高" and c.complainant_phone == "13800138000"
    assert c.work_order == follow_up.work_order and c.crew == follow_up.work_order.crew
    assert complaint_from_follow_up(actor=dispatcher, follow_up_id=follow_up.id) == c


# --- Praise ----------------------------------------------------------------------------------------


def test_record_praise_for_the_order_crew_and_worker(dispatcher, make_order, crew, worker):
    order = make_order("completed")
    p = record_praise(actor=dispatcher, summary="冒雨抢修，服务热情", work_order=order, praiser_name="李老师")
    assert p.crew == crew and p.worker == worker and p.recorded_by == dispatcher


def test_praise_needs_someone_to_praise_and_the_desk(dispatcher, leader):
    with pytest.raises(ValidationError):
        record_praise(actor=dispatcher, summary="很好")
    with pytest.raises(PermissionDenied):
        record_praise(actor=leader.user, summary="很好", crew=leader.crew)
    assert not Praise.objects.exists()


# --- Quality inspections -------------------------------------------------------------------------


def _completed_last_week(make_order, n, **kwargs):
    return [make_order("completed", now=MONDAY_10 - timedelta(days=5), **kwargs) for _ in range(n)]


def test_weekly_sample_is_n_percent_per_crew_and_idempotent(make_order):
    orders = _completed_last_week(make_order, 12)
    added = draw_inspection_sample(week=MONDAY_10.date(), percent=10)
    assert added == 2  # ceil(12 × 10%)
    assert draw_inspection_sample(week=MONDAY_10.date(), percent=10) == 0
    drawn = set(QualityInspection.objects.values_list("work_order_id", flat=True))
    assert drawn <= {o.id for o in orders}


def test_orders_with_complaints_are_always_inspected(make_order, dispatcher):
    orders = _completed_last_week(make_order, 3)
    register_complaint(
        actor=dispatcher,
        source="call",
        phone="",
        name="",
        summary="质量差",
        work_order=orders[2],
        now=MONDAY_10 - timedelta(days=2),
    )
    draw_inspection_sample(week=MONDAY_10.date(), percent=0)
    assert list(QualityInspection.objects.values_list("work_order_id", "reason")) == [
        (orders[2].id, "complaint")
    ]


def _inspection(make_order):
    _completed_last_week(make_order, 1)
    draw_inspection_sample(week=MONDAY_10.date(), percent=100)
    return QualityInspection.objects.get()


SHEET = {"workmanship": 10, "cleanliness": 15, "checklist": 12, "safety": 20}


def test_failed_inspection_sends_the_order_back(make_order, manager):
    inspection = _inspection(make_order)
    record_inspection(
        actor=manager,
        inspection_id=inspection.id,
        passed=False,
        findings="接头仍有渗水",
        responsible_person="张师傅",
        **SHEET,
    )
    inspection.refresh_from_db()
    inspection.work_order.refresh_from_db()
    assert inspection.status == "failed" and inspection.total == 57
    assert inspection.work_order.status == "dispatched" and inspection.work_order.is_rework
    assert Alert.objects.get().kind == "inspection_failed"


def test_passed_inspection_leaves_the_order_alone(make_order, manager):
    inspection = _inspection(make_order)
    record_inspection(
        actor=manager,
        inspection_id=inspection.id,
        passed=True,
        findings="合格",
        responsible_person="张师傅",
        **SHEET,
    )
    inspection.work_order.refresh_from_db()
    assert inspection.work_order.status == "completed"
    with pytest.raises(ValidationError):  # recorded once
        record_inspection(
            actor=manager,
            inspection_id=inspection.id,
            passed=False,
            findings="x",
            responsible_person="y",
            **SHEET,
        )


def test_inspection_sheet_is_validated_and_manager_only(make_order, manager, dispatcher):
    inspection = _inspection(make_order)
    with pytest.raises(ValidationError) as err:
        record_inspection(
            actor=manager,
            inspection_id=inspection.id,
            passed=False,
            findings="",
            responsible_person="",
            **{**SHEET, "safety": 30},
        )
    assert {"safety", "findings", "responsible_person"} <= set(err.value.message_dict)
    with pytest.raises(PermissionDenied):
        record_inspection(
            actor=dispatcher,
            inspection_id=inspection.id,
            passed=True,
            findings="x",
            responsible_person="y",
            **SHEET,
        )
    inspection.refresh_from_db()
    assert inspection.status == "pending"
