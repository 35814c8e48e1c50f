"""The hazard register: reporting, the transition table as a grid, verification by someone other than the
fixer, the one-step work order, scoping by crew, the overdue watch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crews.models import Crew
from operations.actions import hazards as h
from operations.choices import HAZARD_TRANSITIONS, HazardMove, HazardStatus
from operations.models import Hazard
from tests import factories as f
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

PATH = [HazardStatus.FOUND, HazardStatus.RECTIFYING, HazardStatus.RECTIFIED, HazardStatus.VERIFIED]


@pytest.fixture
def make_hazard(area, worker, leader, manager, now):
    def make(status=HazardStatus.FOUND, *, severity="major", **place):
        place = place or {"facility": area["pump"]}
        hazard = h.report_hazard(
            actor=worker.user, severity=severity, system="water", description="阀门井渗水", now=now, **place
        )
        steps = PATH[1 : PATH.index(status) + 1]
        for step in steps:
            if step == HazardStatus.RECTIFYING:
                h.start_rectifying(actor=worker.user, hazard_id=hazard.pk, now=now)
            elif step == HazardStatus.RECTIFIED:
                h.mark_rectified(actor=worker.user, hazard_id=hazard.pk, now=now)
            elif step == HazardStatus.VERIFIED:
                h.verify_hazard(actor=leader.user, hazard_id=hazard.pk, now=now)
        hazard.refresh_from_db()
        assert hazard.status == status
        return hazard

    return make


def test_report_sets_crew_district_and_due_date_by_severity(make_hazard, worker, area, now):
    critical = make_hazard(severity="critical")
    assert critical.crew == worker.crew and critical.district == area["pump"].district
    assert critical.due_at == now + timedelta(days=1)
    assert make_hazard(severity="minor").due_at == now + timedelta(days=30)
    assert list(critical.events.values_list("move", "to_status")) == [("report", "found")]


def test_report_needs_exactly_one_place_and_a_known_severity(worker, area):
    with pytest.raises(ValidationError):
        h.report_hazard(actor=worker.user, severity="major", description="x")
    with pytest.raises(ValidationError):
        h.report_hazard(
            actor=worker.user, severity="major", description="x", room=area["r302"], facility=area["pump"]
        )
    with pytest.raises(ValidationError):
        h.report_hazard(actor=worker.user, severity="huge", description="x", room=area["r302"])
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("move", list(HAZARD_TRANSITIONS))
@pytest.mark.parametrize("status", PATH)
def test_transition_grid(make_hazard, manager, move, status, django_capture_on_commit_callbacks):
    """Every (state, move) pair is either allowed (it leads to the table's target) or a conflict that
    changes nothing."""
    hazard = make_hazard(status)
    sources, target = HAZARD_TRANSITIONS[move]
    call = {
        HazardMove.START_RECTIFYING: h.start_rectifying,
        HazardMove.MARK_RECTIFIED: h.mark_rectified,
        HazardMove.VERIFY: h.verify_hazard,
        HazardMove.TO_WORK_ORDER: h.hazard_to_work_order,
    }[move]
    events = hazard.events.count()
    if status in sources:
        call(actor=manager, hazard_id=hazard.pk)
        hazard.refresh_from_db()
        assert hazard.status == target and hazard.events.count() == events + 1
    else:
        with pytest.raises(h.HazardConflict):
            call(actor=manager, hazard_id=hazard.pk)
        hazard.refresh_from_db()
        assert hazard.status == status and hazard.events.count() == events


def test_the_fixer_may_not_verify(make_hazard, worker, leader):
    hazard = make_hazard(HazardStatus.RECTIFYING)
    h.mark_rectified(actor=leader.user, hazard_id=hazard.pk)
    with pytest.raises(PermissionDenied):
        h.verify_hazard(actor=leader.user, hazard_id=hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED


def test_a_worker_may_not_verify_and_another_crew_may_not_rectify(make_hazard, worker, other_leader):
    hazard = make_hazard(HazardStatus.RECTIFIED)
    with pytest.raises(PermissionDenied):
        h.verify_hazard(actor=worker.user, hazard_id=hazard.pk)
    found = make_hazard()
    with pytest.raises(PermissionDenied):
        h.start_rectifying(actor=other_leader.user, hazard_id=found.pk)


def test_a_repeated_move_is_a_no_op(make_hazard, worker):
    hazard = make_hazard()
    h.start_rectifying(actor=worker.user, hazard_id=hazard.pk)
    h.start_rectifying(actor=worker.user, hazard_id=hazard.pk)
    assert hazard.events.filter(move="start_rectifying").count() == 1


def test_to_work_order_opens_and_dispatches_an_order_and_moves_to_rectifying(make_hazard, leader, area, crew):
    hazard = make_hazard(severity="critical", building=area["b37"])
    h.hazard_to_work_order(actor=leader.user, hazard_id=hazard.pk)
    hazard.refresh_from_db()
    order = WorkOrder.objects.get()
    assert hazard.status == HazardStatus.RECTIFYING and hazard.work_order == order
    assert order.status == "dispatched" and order.crew == crew and order.urgency == "emergency"
    assert order.category.code == "water.valve" and order.building == area["b37"] and order.room is None
    assert order.area == "building_common"  # the building's common area, not one of its homes


def test_a_building_without_rooms_still_gets_its_order(make_hazard, leader, area):
    empty = f.BuildingFactory(district=area["b37"].district, number=99, label="5区99栋")
    hazard = make_hazard(building=empty)
    h.hazard_to_work_order(actor=leader.user, hazard_id=hazard.pk)
    assert WorkOrder.objects.get().building == empty


def test_a_failed_work_order_leaves_the_hazard_found(make_hazard, leader, area, crew):
    hazard = make_hazard(building=area["b37"])
    Crew.objects.filter(pk=crew.pk).update(active=False)  # the order cannot be dispatched to it
    with pytest.raises(ValidationError):
        h.hazard_to_work_order(actor=leader.user, hazard_id=hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND and not WorkOrder.objects.exists()


def test_overdue_hazards_escalate_once_per_level(make_hazard, now):
    hazard = make_hazard(severity="critical")  # due in a day
    assert h.escalate_overdue_hazards(now=now + timedelta(hours=23)) == 0
    assert h.escalate_overdue_hazards(now=now + timedelta(hours=25)) == 1
    assert h.escalate_overdue_hazards(now=now + timedelta(hours=26)) == 0
    assert h.escalate_overdue_hazards(now=now + timedelta(hours=29)) == 1
    assert h.escalate_overdue_hazards(now=now + timedelta(hours=40)) == 0
    hazard.refresh_from_db()
    assert hazard.escalation_level == 2


def test_whoever_reported_a_hazard_for_another_crew_can_follow_it_and_their_crewmates_cannot(
    area, crew, other_leader, now, client
):
    from operations.selectors import hazards_visible_to

    hazard = h.report_hazard(  # handed to the water crew, not the electricians who saw it
        actor=other_leader.user,
        severity="major",
        system="water",
        description="泵房漏水",
        facility=area["pump"],
        crew=crew,
    )
    crewmate = f.WorkerFactory(crew=other_leader.crew, user__username="t_electrician")
    assert list(hazards_visible_to(other_leader.user)) == [hazard]
    assert not hazards_visible_to(crewmate.user).exists()
    client.force_login(other_leader.user)
    assert client.get(reverse("operations:hazard_detail", args=[hazard.pk])).status_code == 200
    client.force_login(crewmate.user)
    assert client.get(reverse("operations:hazard_detail", args=[hazard.pk])).status_code == 404
