from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hotline import services
from hotline.choices import CallType
from hotline.models import Call
from hotline.selectors import manager_calls
from tests import factories as f
from tests.hotline.conftest import DAY
from workorders.actions import TransitionNotAllowed
from workorders.models import WorkOrder, WorkOrderEvent


def repair(actor, room, **kwargs):
    kwargs.setdefault("phone", "13800138000")
    kwargs.setdefault("summary", "厨房水管漏水")
    kwargs.setdefault("category", f.leaf_category("water.leak_fitting"))
    kwargs.setdefault("now", DAY)
    return services.take_call(actor=actor, call_type=CallType.REPAIR, room=room, **kwargs)


@pytest.mark.django_db
def test_a_repair_call_creates_the_call_and_the_order_and_dispatches_it_in_one_step(
    dispatcher, resident, room, crew, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = repair(dispatcher, room)
    order = result.order
    assert order.status == "dispatched" and order.crew == crew
    assert order.reporter == resident and order.first_contact_owner == dispatcher
    assert result.dispatched_to == crew
    call = Call.objects.get()
    assert call.work_order == order and call.taken_by == dispatcher and call.resident == resident
    assert call.building_id == room.building_id and call.system == "water"
    assert list(order.events.values_list("kind", flat=True)) == ["create", "dispatch"]


@pytest.mark.django_db
def test_the_dispatcher_may_pick_another_crew(dispatcher, room, crew):
    other = f.CrewFactory(name="供水二班", kind="water")
    result = repair(dispatcher, room, crew=other)
    assert result.order.crew == other


@pytest.mark.django_db
def test_a_night_call_goes_to_the_crew_of_the_worker_on_duty(dispatcher, room, crew, night):
    night_crew = f.CrewFactory(name="供水班（夜）", kind="water")
    f.DutyShiftFactory(
        worker=f.WorkerFactory(crew=night_crew),
        starts_at=night - timedelta(hours=4),
        ends_at=night + timedelta(hours=8),
    )
    result = repair(dispatcher, room, now=night)
    assert result.order.crew == night_crew


@pytest.mark.django_db
def test_intake_rolls_back_wholly_when_a_later_step_fails(dispatcher, room, crew):
    inactive = f.CrewFactory(name="停用班", kind="water", active=False)
    with pytest.raises(ValidationError):
        repair(dispatcher, room, crew=inactive)
    assert not Call.objects.exists()
    assert not WorkOrder.objects.exists()
    assert not WorkOrderEvent.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [({"phone": "12"}, "phone"), ({"summary": "  "}, "summary"), ({"category": None}, "category")],
)
@pytest.mark.django_db
def test_bad_input_changes_nothing(dispatcher, room, crew, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        repair(dispatcher, room, **kwargs)
    assert field in exc.value.message_dict
    assert not Call.objects.exists() and not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_is_refused_when_the_desk_has_not_confirmed_it(dispatcher, room, crew, make_order):
    existing = make_order("dispatched", now=DAY)
    with pytest.raises(services.DuplicateFound) as exc:
        repair(dispatcher, room, allow_duplicate=False)
    assert exc.value.duplicates == [existing]
    assert WorkOrder.objects.count() == 1 and not Call.objects.exists()
    # Confirmed: a second order, the duplicate reported.
    result = repair(dispatcher, room, allow_duplicate=True)
    assert result.duplicates == [existing] and WorkOrder.objects.count() == 2


@pytest.mark.django_db
def test_a_reminder_counts_on_the_order_writes_an_event_and_creates_no_order(dispatcher, room, make_order):
    order = make_order("dispatched", now=DAY)
    result = services.take_call(
        actor=dispatcher, call_type=CallType.REMINDER, phone="13800138000", remind_order_id=order.id, now=DAY
    )
    order.refresh_from_db()
    assert order.remind_count == 1
    assert order.events.filter(kind="remind", actor=dispatcher).count() == 1
    assert WorkOrder.objects.count() == 1
    assert result.call.work_order == order and result.call.call_type == "reminder"
    assert result.call.room == room


@pytest.mark.django_db
def test_a_reminder_on_a_closed_order_is_refused_and_logs_nothing(dispatcher, make_order):
    order = make_order("closed", now=DAY)
    with pytest.raises(TransitionNotAllowed):
        services.take_call(
            actor=dispatcher, call_type=CallType.REMINDER, phone="13800138000", remind_order_id=order.id
        )
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_attaching_a_call_to_an_incident_links_them_and_opens_no_order(
    dispatcher, room, building, make_incident
):
    incident = make_incident(buildings=[building])
    result = repair(dispatcher, room, incident=incident)
    assert result.order is None
    assert result.call.incident == incident
    assert list(incident.calls.all()) == [result.call]
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_three_calls_about_one_system_in_one_building_suggest_an_incident_and_it_collects_them(
    dispatcher, room, crew, building
):
    neighbour = f.RoomFactory(unit=room.unit, number="402")
    results = [
        repair(dispatcher, r, now=DAY + timedelta(minutes=i), category=f.leaf_category(code))
        for i, (r, code) in enumerate(
            [(room, "water.low_pressure"), (neighbour, "water.outage_home"), (room, "water.meter")]
        )
    ]
    assert [r.suggest_incident for r in results] == [False, False, True]
    incident = services.report_incident(
        actor=dispatcher, title="37栋停水", system="water", room=room, now=DAY + timedelta(minutes=5)
    )
    assert set(incident.calls.all()) == {r.call for r in results}
    assert list(incident.buildings.all()) == [building]


@pytest.mark.django_db
def test_a_declared_incident_records_the_homes_of_its_building_or_district(
    dispatcher, room, resident, district
):
    # The outage report counts homes × hours for sudden outages too, not only for planned ones.
    f.RoomFactory(unit=room.unit, number="402")  # nobody lives there
    elsewhere = f.RoomFactory(unit=f.UnitFactory(building=f.BuildingFactory(district=district, number=38)))
    f.ResidencyFactory(resident=f.ResidentFactory(phone="13900139000"), room=elsewhere)
    building = services.report_incident(actor=dispatcher, title="37栋爆管", system="water", room=room)
    district_wide = services.report_incident(
        actor=dispatcher, title="5区停电", system="power", room=room, whole_district=True
    )
    assert (building.affected_homes, district_wide.affected_homes) == (1, 2)


@pytest.mark.django_db
def test_calls_older_than_30_minutes_do_not_count_towards_an_incident(dispatcher, room, crew):
    repair(dispatcher, room, now=DAY - timedelta(minutes=45), category=f.leaf_category("water.meter"))
    repair(dispatcher, room, now=DAY - timedelta(minutes=40), category=f.leaf_category("water.valve"))
    assert repair(dispatcher, room, now=DAY).suggest_incident is False


@pytest.mark.django_db
def test_an_inquiry_needs_the_answer_and_is_closed_on_the_spot(dispatcher):
    with pytest.raises(ValidationError):
        services.take_call(
            actor=dispatcher, call_type=CallType.INQUIRY, phone="13800138000", summary="停水到几点"
        )
    result = services.take_call(
        actor=dispatcher,
        call_type=CallType.INQUIRY,
        phone="13800138000",
        summary="停水到几点",
        answer="预计18点恢复",
    )
    assert result.call.closed_at is not None and result.call.answer == "预计18点恢复"
    assert result.order is None


@pytest.mark.django_db
def test_a_complaint_is_logged_for_the_managers_until_handled(dispatcher, manager):
    result = services.take_call(
        actor=dispatcher,
        call_type=CallType.COMPLAINT,
        phone="13800138000",
        summary="维修工态度差",
        subject="供水班 张师傅",
    )
    assert list(manager_calls(manager)) == [result.call]
    services.close_call(actor=manager, call_id=result.call.id, note="已约谈班组")
    assert list(manager_calls(manager)) == []


@pytest.mark.django_db
def test_a_walk_in_needs_the_visitors_name_but_no_phone(dispatcher):
    with pytest.raises(ValidationError) as exc:
        services.take_call(
            actor=dispatcher, call_type=CallType.HELP, channel="walk_in", summary="请帮忙搬东西"
        )
    assert "caller_name" in exc.value.message_dict
    result = services.take_call(
        actor=dispatcher,
        call_type=CallType.HELP,
        channel="walk_in",
        caller_name="李大爷",
        summary="请帮忙搬东西",
    )
    assert result.call.channel == "walk_in" and result.call.phone == ""


@pytest.mark.django_db
def test_crew_staff_may_not_take_calls(leader, worker, room):
    for user in (leader.user, worker.user):
        with pytest.raises(PermissionDenied):
            repair(user, room)
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_handing_a_call_over_names_the_new_owner(dispatcher, manager):
    call = services.take_call(
        actor=dispatcher, call_type=CallType.HELP, phone="13800138000", summary="求助"
    ).call
    services.hand_over_call(actor=dispatcher, call_id=call.id, to_user=manager)
    call.refresh_from_db()
    assert call.taken_by == dispatcher and call.current_owner == manager


# --- Complaint and praise calls become feedback records linked to the call --------------------------------


@pytest.mark.django_db
def test_a_complaint_call_registers_a_complaint_linked_to_the_call_and_order(dispatcher, make_order):
    from feedback.models import Complaint
    from hotline.services import take_call

    order = make_order("completed")
    result = take_call(
        actor=dispatcher,
        call_type="complaint",
        phone="13800138000",
        caller_name="王大妈",
        summary="维修工态度不好",
        work_order=order,
    )
    complaint = Complaint.objects.get()
    assert result.call.complaint_id == complaint.id
    assert complaint.work_order_id == order.id and complaint.crew_id == order.crew_id
    assert complaint.complainant_phone == "13800138000" and complaint.source == "call"


@pytest.mark.django_db
def test_a_praise_call_records_praise_for_the_orders_crew(dispatcher, make_order):
    from feedback.models import Praise
    from hotline.services import take_call

    order = make_order("closed")
    result = take_call(
        actor=dispatcher, call_type="praise", phone="13800138000", summary="师傅手艺好", work_order=order
    )
    praise = Praise.objects.get()
    assert result.call.praise_id == praise.id
    assert (praise.crew_id, praise.worker_id) == (order.crew_id, order.worker_id)


@pytest.mark.django_db
def test_the_caller_screen_shows_open_complaints_from_that_number(dispatcher, resident):
    from hotline.selectors import caller_screen
    from hotline.services import take_call

    take_call(actor=dispatcher, call_type="complaint", phone="13800138000", summary="收费不合理")
    screen = caller_screen(user=dispatcher, phone="13800138000")
    assert [c["summary"] for c in screen.open_complaints] == ["收费不合理"]
