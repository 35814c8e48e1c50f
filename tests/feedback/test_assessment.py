"""The monthly assessment (考核) on a hand-computed month: every KPI formula (hold time excluded, the 30-day
first-fix window), the weighted score with rewards and penalties, the rank and the conduct veto (一票否决),
frozen snapshots against the live figures, weights and rewards as data a manager edits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.actions.assessment import freeze_assessment, record_reward_penalty, set_assessment_weights
from feedback.models import AssessmentWeight, Complaint, ComplaintType, FollowUp, QualityInspection
from feedback.reports.assessment import (
    KPI_CODES,
    AssessmentLine,
    compare,
    frozen_assessment,
    month_assessment,
    rank_lines,
)
from tests import factories as f
from tests.factories import NOW, OCT_10, add_follow_ups
from workorders.actions.dispatching import assign_order, dispatch_order
from workorders.actions.field_work import accept_order, arrive_order, complete_order, hold_order, resume_order
from workorders.actions.intake import create_order
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)
# Every KPI but 主动服务 (its own test in tests/workorders/test_proactive.py): October has no self-initiated work.
EQUAL = {code: Decimal("10") for code in KPI_CODES if code != "proactive"}


def at(day: int, hour: int = 10):
    return timezone.make_aware(timezone.datetime(2026, 10, day, hour, 0))


def complaint(crew, worker, *, valid: bool, type_code: str = "attitude", received=None):
    received = received or at(12)
    return Complaint.objects.create(
        source="call",
        summary="投诉",
        crew=crew,
        worker=worker,
        type=ComplaintType.objects.get(code=type_code),
        received_at=received,
        contact_by=received + timedelta(hours=24),
        decide_by=received + timedelta(days=3),
        close_by=received + timedelta(days=7),
        valid=valid,
    )


@pytest.fixture
def october(make_order, dispatcher, leader, worker, manager, room, unit, crew):
    """供水班's October, built so that each KPI has a known value (see the test for the arithmetic)."""
    rooms = [room] + [f.RoomFactory(unit=unit, number=f"{n}02", floor=n) for n in (4, 5, 6, 7)]
    o1 = make_order("completed", now=at(5))  # all on time; re-reported on Oct 20 → not a first-time fix
    o2 = make_order(
        "completed", room=rooms[1], now=at(1)
    )  # accepted late; re-reported after 35 days → first fix
    WorkOrder.objects.filter(pk=o2.pk).update(accepted_at=o2.respond_by + timedelta(minutes=1))
    # o3: an emergency held three hours for parts, done 5 h after the call: on time once the hold is excluded.
    o3 = create_order(
        actor=dispatcher,
        category=f.leaf_category("water.leak_fitting"),
        urgency="emergency",
        room=rooms[2],
        description="爆管",
        reporter_phone="13800138000",
        now=at(8),
    )
    t0 = at(8)
    dispatch_order(actor=dispatcher, order_id=o3.pk, crew=crew, now=t0 + timedelta(minutes=1))
    assign_order(actor=leader.user, order_id=o3.pk, worker=worker, now=t0 + timedelta(minutes=2))
    accept_order(actor=worker.user, order_id=o3.pk, now=t0 + timedelta(minutes=3))
    arrive_order(actor=worker.user, order_id=o3.pk, now=t0 + timedelta(minutes=20))
    hold_order(actor=leader.user, order_id=o3.pk, reason="waiting_parts", now=t0 + timedelta(minutes=30))
    resume_order(actor=leader.user, order_id=o3.pk, now=t0 + timedelta(hours=3, minutes=30))
    complete_order(actor=worker.user, order_id=o3.pk, now=t0 + timedelta(hours=5), **f.COMPLETE_KWARGS)
    o4 = make_order("completed", room=rooms[3], now=at(9))  # completed late, one 六个一 item answered no
    WorkOrder.objects.filter(pk=o4.pk).update(
        completed_at=o4.complete_by + timedelta(hours=1), checklist_cloth=False
    )
    o5 = make_order("completed", room=rooms[4], now=at(11))  # the completion of a rework
    WorkOrder.objects.filter(pk=o5.pk).update(is_rework=True, rework_count=1)
    make_order(now=at(20))  # the re-report of o1 (same room, same category, 15 days later)
    make_order(room=rooms[1], now=timezone.make_aware(timezone.datetime(2026, 11, 5, 10, 0)))  # o2 + 35 days
    make_order(room=rooms[3], category="electrical.home_outage", now=at(20))  # another category: no re-report
    add_follow_ups(o1, OCT_10, satisfied=2, basically=1, dissatisfied=1, open_=1)
    complaint(crew, worker, valid=True)
    complaint(crew, worker, valid=False)
    QualityInspection.objects.create(
        work_order=o1,
        crew=crew,
        week=date(2026, 10, 12),
        reason="random",
        status="passed",
        score_workmanship=20,
        score_cleanliness=20,
        score_checklist=20,
        score_safety=20,
        inspected_at=at(15),
    )
    record_reward_penalty(
        actor=manager,
        kind="reward",
        crew=crew,
        worker=worker,
        reason="锦旗",
        points="5",
        date=date(2026, 10, 16),
    )
    record_reward_penalty(
        actor=manager,
        kind="penalty",
        crew=crew,
        reason="例会缺席",
        points="2",
        amount="50",
        date=date(2026, 10, 17),
    )
    record_reward_penalty(
        actor=manager, kind="penalty", crew=crew, reason="九月的", points="9", date=date(2026, 9, 30)
    )  # another month
    return {"orders": [o1, o2, o3, o4, o5]}


def test_each_kpi_on_a_hand_computed_month(october, crew, worker):
    o3 = WorkOrder.objects.get(pk=october["orders"][2].pk)
    assert o3.held_seconds == 3 * 3600 and o3.completed_at > o3.created_at + timedelta(hours=4)
    lines = {line.label: line for line in month_assessment(OCT, "crew", now=NOW, weights=EQUAL)}
    line = lines["供水班"]
    c = line.counts
    assert c["completed"] == 5
    v = line.values
    assert v["on_time_accept"] == 4 / 5  # o2 accepted 1 minute late
    assert v["on_time_arrive"] == 1.0
    assert v["on_time_complete"] == 4 / 5  # o4 late; o3 on time because its 3 h on hold do not count
    assert v["first_fix"] == 4 / 5  # o1 re-reported within 30 days; o2's re-report came after 35 days
    assert v["rework"] == 1 / 5
    assert v["follow_up"] == 4 / 5 and v["satisfaction"] == 3 / 4
    assert v["valid_complaints"] == 1 / 5  # the invalid one does not count
    assert v["checklist"] == 24 / 25
    assert v["inspection"] == 80
    # Equal weights: (80+100+80+80+(100−20)+80+75+(100−20)+96+80)/10 = 83.10, +5 reward −2 penalty = 86.10
    assert line.base_score == Decimal("83.10")
    assert (line.reward_points, line.penalty_points, line.penalty_amount) == (5, 2, 50)
    assert line.score == Decimal("86.10")
    assert line.rank == 1 and not line.veto

    workers = {w.key: w for w in month_assessment(OCT, "worker", now=NOW, weights=EQUAL)}
    mine = workers[worker.pk]
    assert mine.crew == "供水班" and mine.counts["completed"] == 5
    assert mine.reward_points == 5 and mine.penalty_points == 0  # the crew-level penalty is not the worker's
    assert mine.score == Decimal("88.10")


def test_weights_are_data(october, manager):
    set_assessment_weights(actor=manager, weights={"satisfaction": "1"})  # only 满意率 counts
    [line] = [x for x in month_assessment(OCT, "crew", now=NOW) if x.label == "供水班"]
    assert line.base_score == Decimal("75.00")


def test_a_proven_conduct_violation_drops_the_crew_to_the_bottom(
    october, make_order, other_crew, other_leader, unit, manager
):
    # The electrical crew has a perfect month...
    good = make_order("completed", room=f.RoomFactory(unit=unit, number="901", floor=9), now=at(3))
    WorkOrder.objects.filter(pk=good.pk).update(crew=other_crew, worker=other_leader)
    lines = month_assessment(OCT, "crew", now=NOW, weights=EQUAL)
    assert [(x.label, x.rank) for x in lines] == [("电工班", 1), ("供水班", 2)]
    # ...and a banner worth 20 points; then a valid conduct complaint (吃拿卡要) of the month: 一票否决.
    record_reward_penalty(actor=manager, kind="reward", crew=other_crew, reason="锦旗", points="20", date=OCT)
    complaint(other_crew, other_leader, valid=True, type_code="conduct")
    lines = month_assessment(OCT, "crew", now=NOW, weights=EQUAL)
    assert [(x.label, x.rank, x.veto) for x in lines] == [("供水班", 1, False), ("电工班", 2, True)]
    assert lines[1].score > lines[0].score  # ranked last despite the higher score
    # A complaint still undecided or found invalid is no veto.
    Complaint.objects.filter(type__code="conduct").update(valid=None)
    assert month_assessment(OCT, "crew", now=NOW, weights=EQUAL)[0].label == "电工班"


def test_equal_scores_share_a_rank():
    lines = [AssessmentLine(key=i, label=str(i), score=Decimal(s)) for i, s in enumerate(["90", "95", "90"])]
    lines.append(AssessmentLine(key=9, label="x", score=None))
    ranked = rank_lines(lines)
    assert [(x.label, x.rank) for x in ranked] == [("1", 1), ("0", 2), ("2", 2), ("x", 4)]


def test_a_frozen_month_keeps_its_figures_while_the_live_view_moves(october, manager, crew):
    snapshot = freeze_assessment(actor=manager, month=OCT, level="crew", now=NOW)
    frozen_score = frozen_assessment(OCT, "crew").lines[0].score
    # A follow-up is corrected afterwards: dissatisfied → satisfied.
    FollowUp.objects.filter(verdict="dissatisfied").update(verdict="satisfied")
    live = {x.label: x for x in month_assessment(OCT, "crew", now=NOW)}
    frozen = frozen_assessment(OCT, "crew")
    assert frozen.snapshot.pk == snapshot.pk
    [f_line] = [x for x in frozen.lines if x.label == "供水班"]
    assert f_line.score == frozen_score and f_line.values["satisfaction"] == 0.75
    assert live["供水班"].values["satisfaction"] == 1.0 and live["供水班"].score > frozen_score
    rows = compare(list(live.values()), frozen)
    assert any(r["changed"] for r in rows if r["key"] == crew.pk)
    # Freezing again is a no-op; an unfinished month cannot be frozen; only managers freeze.
    assert freeze_assessment(actor=manager, month=OCT, level="crew", now=NOW).pk == snapshot.pk
    with pytest.raises(ValidationError):
        freeze_assessment(actor=manager, month=date(2026, 11, 1), level="crew", now=NOW)


def test_only_managers_freeze_set_weights_or_record_rewards(dispatcher, leader, crew):
    with pytest.raises(PermissionDenied):
        freeze_assessment(actor=dispatcher, month=OCT, level="crew", now=NOW)
    with pytest.raises(PermissionDenied):
        set_assessment_weights(actor=leader.user, weights=EQUAL)
    with pytest.raises(PermissionDenied):
        record_reward_penalty(actor=dispatcher, kind="reward", crew=crew, reason="x", points="1")


def test_bad_weights_change_nothing(manager):
    before = dict(AssessmentWeight.objects.values_list("kpi", "weight"))
    for bad in ({"satisfaction": "abc"}, {"satisfaction": "-1"}, {"satisfaction": "101"}, {}):
        with pytest.raises(ValidationError):
            set_assessment_weights(actor=manager, weights=bad)
    assert dict(AssessmentWeight.objects.values_list("kpi", "weight")) == before
    assert (
        sum(before.values()) == 110
    )  # the seeded defaults: 100, then 5 + 5 for rounds and hazards (issue 16)


def test_reward_penalty_validation(manager, crew, other_crew, worker):
    cases = [
        ({"kind": "bonus", "crew": crew, "reason": "x", "points": "1"}, "kind"),
        ({"kind": "reward", "crew": None, "reason": "x", "points": "1"}, "crew"),
        ({"kind": "reward", "crew": crew, "reason": " ", "points": "1"}, "reason"),
        ({"kind": "reward", "crew": crew, "reason": "x", "points": "-1"}, "points"),
        ({"kind": "reward", "crew": crew, "reason": "x"}, "points"),
        ({"kind": "reward", "crew": other_crew, "worker": worker, "reason": "x", "points": "1"}, "worker"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as info:
            record_reward_penalty(actor=manager, **kwargs)
        assert field in info.value.message_dict
    record = record_reward_penalty(
        actor=manager, kind="penalty", crew=None, worker=worker, reason="x", amount="20"
    )
    assert record.crew == crew and record.signed_points == 0 and record.amount == Decimal("20.00")


def test_first_fix_window_runs_past_the_month_and_counts_facilities(make_order, unit, district):
    def nov(day: int):
        return timezone.make_aware(timezone.datetime(2026, 11, day, 10, 0))

    late = make_order("completed", now=at(31, 22))  # re-reported on Nov 20: not a first-time fix
    make_order(now=nov(20))
    other_room = f.RoomFactory(unit=unit, number="902", floor=9)
    make_order("completed", room=other_room, now=at(30))  # its only re-report was cancelled: first fix
    make_order("cancelled", room=other_room, now=nov(3))
    make_order(room=other_room, now=at(29))  # created before the completion: not a re-report
    pump = f.FacilityFactory(district=district)
    make_order("completed", room=None, facility=pump, now=at(25))  # the pump house again on Nov 10
    make_order(room=None, facility=pump, now=nov(10))
    assert late.completed_at.month == 10
    [line] = [x for x in month_assessment(OCT, "crew", now=NOW) if x.label == "供水班"]
    assert (line.counts["completed"], line.counts["first_fix"]) == (3, 1)


@pytest.mark.parametrize("size", [1, 5])
def test_assessment_runs_in_a_fixed_number_of_queries(
    make_order, django_assert_num_queries, size, crew, manager
):
    for i in range(size):
        order = make_order("completed", now=at(2 + i))
        add_follow_ups(order, OCT_10, satisfied=2)
        complaint(crew, None, valid=True)
        f.WorkerFactory(crew=crew)
        record_reward_penalty(actor=manager, kind="reward", crew=crew, reason="x", points="1", date=OCT)
    # crews or workers, completed orders, the on-time counts (the SLA report's definition), their first-time
    # fixes, follow-ups, complaints, rounds, hazards, inspections, rewards/penalties, weights
    for level in ("crew", "worker"):
        with django_assert_num_queries(11):
            lines = month_assessment(OCT, level, now=NOW)
        assert sum(x.counts["completed"] for x in lines) == size
