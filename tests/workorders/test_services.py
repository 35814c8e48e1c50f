"""The services' rules: completion record, hand-back and transfer, rework, numbers, the timeline, photos,
creation input, repeats and incidents."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories as f
from tests.factories import COMPLETE_KWARGS
from workorders.actions.attachments import add_attachment
from workorders.actions.closing import cancel_order, rework_order
from workorders.actions.dispatching import assign_order, dispatch_order, hand_back_order, transfer_order
from workorders.actions.escalation import remind_order, supervise_order
from workorders.actions.field_work import (
    complete_order,
    extend_deadline,
    hold_order,
    refuse_hold,
    request_extension,
    request_hold,
)
from workorders.actions.incidents import create_incident
from workorders.actions.intake import create_order
from workorders.models import Attachment, Incident, Material, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _row(order: WorkOrder) -> dict:
    """Everything completion could write."""
    order.refresh_from_db()
    return {
        "status": order.status,
        "resolution": order.resolution,
        "checklist": order.checklist,
        "fee": order.fee,
        "completed_at": order.completed_at,
        "events": order.events.count(),
        "materials": Material.objects.filter(order=order).count(),
    }


def _complete(order, worker, **overrides):
    kwargs = {**COMPLETE_KWARGS, **overrides}
    return complete_order(actor=worker.user, order_id=order.id, **kwargs)


# --- Completion -------------------------------------------------------------------------------------------


def test_completion_without_the_checklist_is_refused_and_writes_nothing(make_order, worker):
    order = make_order("on_site")
    before = _row(order)
    partial = {"greeting": True, "shoe_covers": True, "cloth": True, "inspection": True}  # note_left missing
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, checklist=partial)
    assert "六个一" in error.value.message_dict["checklist"][0]
    assert _row(order) == before
    with pytest.raises(ValidationError):
        _complete(order, worker, checklist=None)
    with pytest.raises(ValidationError):
        _complete(order, worker, checklist={**partial, "note_left": None})
    assert _row(order) == before


def test_a_no_in_the_checklist_needs_a_reason(make_order, worker):
    order = make_order("on_site")
    before = _row(order)
    checklist = {**COMPLETE_KWARGS["checklist"], "shoe_covers": False}
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, checklist=checklist)
    assert "checklist_notes" in error.value.message_dict
    assert _row(order) == before
    _complete(order, worker, checklist=checklist, checklist_notes="住户不让穿鞋套")
    order.refresh_from_db()
    assert order.checklist["shoe_covers"] is False
    assert order.checklist_notes == "住户不让穿鞋套"


def test_free_order_may_not_carry_a_fee(make_order, worker):
    order = make_order("on_site")
    before = _row(order)
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, fee="30")
    assert "fee" in error.value.message_dict
    assert _row(order) == before


def test_paid_fee_needs_the_residents_confirmation(make_order, worker):
    order = make_order("on_site", charge="paid")
    before = _row(order)
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, fee="45.50")
    assert "fee_confirmed" in error.value.message_dict
    assert _row(order) == before
    _complete(order, worker, fee="45.50", fee_confirmed=True)
    order.refresh_from_db()
    assert (order.status, order.fee, order.fee_confirmed) == ("completed", Decimal("45.50"), True)


@pytest.mark.parametrize(
    "materials",
    [
        [{"name": "", "quantity": "1"}],
        [{"name": "弯头", "quantity": "0"}],
        [{"name": "弯头", "quantity": "abc"}],
        [{"name": "弯头", "quantity": "1", "unit_price": "-2"}],
        ["弯头"],
        "弯头",
    ],
)
def test_bad_materials_are_refused_and_nothing_is_written(make_order, worker, materials):
    order = make_order("on_site")
    before = _row(order)
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, materials=materials)
    assert "materials" in error.value.message_dict
    assert _row(order) == before


def test_completion_records_materials_in_decimal(make_order, worker):
    order = make_order("on_site")
    _complete(
        order,
        worker,
        materials=[
            {"name": "角阀", "quantity": "2", "unit_price": "18.5"},
            {"name": "生料带", "quantity": "1"},
        ],
    )
    rows = list(order.materials.values_list("name", "quantity", "unit_price"))
    assert rows == [("角阀", Decimal("2.00"), Decimal("18.50")), ("生料带", Decimal("1.00"), Decimal("0.00"))]
    assert order.materials.first().amount == Decimal("37.00")


def test_completion_needs_a_resolution(make_order, worker):
    order = make_order("on_site")
    with pytest.raises(ValidationError) as error:
        _complete(order, worker, resolution="  ")
    assert "resolution" in error.value.message_dict


# --- Hand back, transfer, rework --------------------------------------------------------------------------


def test_hand_back_needs_a_listed_reason_and_a_text(make_order, leader):
    order = make_order("assigned")
    with pytest.raises(ValidationError) as error:
        hand_back_order(actor=leader.user, order_id=order.id, reason="lazy", note="不想去")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        hand_back_order(actor=leader.user, order_id=order.id, reason="not_our_area", note=" ")
    assert "note" in error.value.message_dict
    hand_back_order(actor=leader.user, order_id=order.id, reason="not_our_area", note="属于6区")
    order.refresh_from_db()
    event = order.events.last()
    assert (order.status, order.crew_id, order.worker_id) == ("received", None, None)
    # The event names the crew that handed it back (the board suggests another).
    assert (event.kind, event.note, event.data) == (
        "hand_back",
        "属于6区",
        {"reason": "not_our_area", "crew": leader.crew_id},
    )


def test_a_repeated_hand_back_is_a_no_op(make_order, leader):
    order = make_order("dispatched")
    hand_back_order(actor=leader.user, order_id=order.id, reason="not_our_trade", note="属电工")
    events = order.events.count()
    hand_back_order(actor=leader.user, order_id=order.id, reason="not_our_trade", note="属电工")
    assert order.events.count() == events


def test_transfer_needs_a_crew_or_a_worker_and_a_reason(make_order, dispatcher, other_crew, other_worker):
    order = make_order("assigned")
    with pytest.raises(ValidationError):
        transfer_order(actor=dispatcher, order_id=order.id, reason="改派")
    with pytest.raises(ValidationError):
        transfer_order(
            actor=dispatcher, order_id=order.id, reason="改派", crew=other_crew, worker=other_worker
        )
    with pytest.raises(ValidationError) as error:
        transfer_order(actor=dispatcher, order_id=order.id, reason="", crew=other_crew)
    assert "reason" in error.value.message_dict
    other_crew.active = False
    other_crew.save(update_fields=["active"])
    with pytest.raises(ValidationError):
        transfer_order(actor=dispatcher, order_id=order.id, reason="改派", crew=other_crew)
    assert WorkOrder.objects.get(pk=order.pk).crew.name == "供水班"


def test_transfer_to_another_crew_goes_back_to_that_crews_pool(make_order, dispatcher, other_crew):
    order = make_order("accepted")
    transfer_order(actor=dispatcher, order_id=order.id, reason="属电工", crew=other_crew)
    order.refresh_from_db()
    assert (order.status, order.crew_id, order.worker_id, order.accepted_at) == (
        "dispatched",
        other_crew.id,
        None,
        None,
    )


def test_dispatch_to_an_inactive_crew_is_refused(make_order, dispatcher, other_crew):
    order = make_order("received")
    other_crew.active = False
    other_crew.save(update_fields=["active"])
    with pytest.raises(ValidationError):
        dispatch_order(actor=dispatcher, order_id=order.id, crew=other_crew)


def test_assign_outside_the_crew_is_refused(make_order, leader, other_leader):
    order = make_order("dispatched")
    with pytest.raises(ValidationError) as error:
        assign_order(actor=leader.user, order_id=order.id, worker=other_leader)
    assert "worker" in error.value.message_dict


def test_rework_flags_counts_and_clears_the_milestones(make_order, manager, worker):
    order = make_order("closed")
    rework_order(actor=manager, order_id=order.id, reason="回访不满意")
    order.refresh_from_db()
    assert (order.status, order.is_rework, order.rework_count) == ("dispatched", True, 1)
    assert order.worker_id is None and order.crew_id is not None  # back to the same crew
    assert (order.completed_at, order.closed_at, order.accepted_at) == (None, None, None)
    # A repeated identical request does nothing; a second real rework later counts again.
    rework_order(actor=manager, order_id=order.id, reason="回访不满意")
    assert WorkOrder.objects.get(pk=order.pk).rework_count == 1
    order = WorkOrder.objects.get(pk=order.pk)
    from tests.factories import drive_order

    drive_order(
        order,
        "completed",
        dispatcher=None,
        leader=worker.crew.workers.get(role="leader"),
        worker=worker,
        manager=manager,
    )
    rework_order(actor=manager, order_id=order.id, reason="质量抽查不合格")
    order.refresh_from_db()
    assert (order.is_rework, order.rework_count) == (True, 2)


def test_rework_needs_a_reason(make_order, manager):
    order = make_order("completed")
    with pytest.raises(ValidationError):
        rework_order(actor=manager, order_id=order.id, reason="")


def test_supervise_needs_a_note_and_is_stamped(make_order, manager):
    order = make_order("accepted")
    with pytest.raises(ValidationError):
        supervise_order(actor=manager, order_id=order.id, note="")
    supervise_order(actor=manager, order_id=order.id, note="今天下班前办结")
    supervise_order(actor=manager, order_id=order.id, note="今天下班前办结")  # a double click
    order.refresh_from_db()
    assert order.supervised_at is not None
    assert order.events.filter(kind="supervise").count() == 1


def test_remind_counts_every_call(make_order, dispatcher):
    order = make_order("assigned")
    remind_order(actor=dispatcher, order_id=order.id, note="第二次来电")
    remind_order(actor=dispatcher, order_id=order.id, note="第三次来电")
    order.refresh_from_db()
    assert order.remind_count == 2


def test_extension_request_and_approval_for_planned_jobs(make_order, leader, manager):
    order = make_order("assigned", urgency="planned")
    with pytest.raises(ValidationError):
        request_extension(actor=leader.user, order_id=order.id, until=order.complete_by, reason="等料")
    with pytest.raises(ValidationError) as error:
        request_extension(
            actor=leader.user, order_id=order.id, until=order.complete_by + timedelta(days=30), reason="等料"
        )
    assert "until" in error.value.message_dict
    until = order.complete_by + timedelta(days=3)
    request_extension(actor=leader.user, order_id=order.id, until=until, reason="等料")
    request_extension(actor=leader.user, order_id=order.id, until=until, reason="等料")  # repeat
    extend_deadline(actor=manager, order_id=order.id)
    extend_deadline(actor=manager, order_id=order.id)  # repeat: no-op, not an error
    order.refresh_from_db()
    assert (order.complete_by, order.extension_requested_until) == (until, None)
    assert order.events.filter(kind="request_extension").count() == 1
    assert order.events.filter(kind="extend").count() == 1


def test_extension_is_for_planned_jobs_only(make_order, leader):
    order = make_order("assigned")
    with pytest.raises(ValidationError):
        request_extension(
            actor=leader.user, order_id=order.id, until=order.complete_by + timedelta(days=1), reason="x"
        )


def test_refusing_a_hold_clears_the_request(make_order, worker, leader):
    order = make_order("on_site")
    with pytest.raises(ValidationError):
        refuse_hold(actor=leader.user, order_id=order.id)
    request_hold(actor=worker.user, order_id=order.id, reason="resident_away", note="家中无人")
    refuse_hold(actor=leader.user, order_id=order.id, note="约好下午")
    refuse_hold(actor=leader.user, order_id=order.id, note="约好下午")  # repeat
    order.refresh_from_db()
    assert (order.status, order.hold_requested_reason) == ("on_site", "")
    assert order.events.filter(kind="refuse_hold").count() == 1


def test_hold_reason_must_come_from_the_list(make_order, leader):
    order = make_order("accepted")
    with pytest.raises(ValidationError) as error:
        hold_order(actor=leader.user, order_id=order.id, reason="tired")
    assert "reason" in error.value.message_dict


def test_cancel_needs_a_listed_reason(make_order, dispatcher):
    order = make_order("received")
    with pytest.raises(ValidationError):
        cancel_order(actor=dispatcher, order_id=order.id, reason="")
    cancel_order(actor=dispatcher, order_id=order.id, reason="malicious", note="骚扰电话")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "malicious")


# --- Creation, numbers, the timeline ----------------------------------------------------------------------


def test_numbers_are_yyyymmdd_nnnn_per_local_day(make_order):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    late = datetime(2026, 12, 2, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    first, second = make_order(now=late), make_order(now=late)
    next_day = make_order(now=late + timedelta(minutes=2))
    assert (first.number, second.number) == ("20261202-0001", "20261202-0002")
    assert next_day.number == "20261203-0001"
    assert all(re.fullmatch(r"\d{8}-\d{4}", o.number) for o in (first, second, next_day))


def test_events_name_actor_time_from_to_and_note(make_order, dispatcher, leader, worker, manager):
    t0 = timezone.now().replace(microsecond=0)
    order = make_order("closed", now=t0)
    events = list(order.events.order_by("id").values_list("kind", "actor", "at", "from_status", "to_status"))
    assert events == [
        ("create", dispatcher.id, t0, "", "received"),
        ("dispatch", dispatcher.id, t0, "received", "dispatched"),
        ("assign", leader.user.id, t0, "dispatched", "assigned"),
        ("accept", worker.user.id, t0, "assigned", "accepted"),
        ("arrive", worker.user.id, t0, "accepted", "on_site"),
        ("complete", worker.user.id, t0, "on_site", "completed"),
        ("close", manager.id, t0, "completed", "closed"),
    ]
    assert order.events.get(kind="create").note == "厨房水管接头漏水"
    assert order.events.get(kind="complete").note == COMPLETE_KWARGS["resolution"]


def test_create_sets_first_contact_owner_and_location(make_order, dispatcher, room):
    order = make_order(location_detail="厨房")
    assert order.first_contact_owner_id == dispatcher.id
    assert (order.district_id, order.building_id) == (room.district_id, room.building_id)
    assert order.location_label == "5区37栋1单元302室 厨房"
    assert order.current_holder == dispatcher


def test_create_at_a_facility(make_order, district):
    facility = f.FacilityFactory(district=district, name="1号泵房")
    order = make_order(room=None, facility=facility, category="water.main_burst")
    assert (order.room_id, order.facility_id, order.building_id) == (None, facility.id, None)
    assert order.location_label == facility.label


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"room": None}, "room"),
        ({"description": " "}, "description"),
        ({"category": "water"}, "category"),
        ({"urgency": "asap"}, "urgency"),
        ({"charge": "maybe"}, "charge"),
        ({"channel": "fax"}, "channel"),
        ({"area": "moon"}, "area"),
        ({"reporter_phone": "12"}, "reporter_phone"),
        ({"location_detail": "厨" * 201}, "location_detail"),
    ],
)
def test_bad_creation_input_names_the_field_and_creates_nothing(make_order, kwargs, field):
    with pytest.raises(ValidationError) as error:
        make_order(**kwargs)
    assert field in error.value.message_dict
    assert not WorkOrder.objects.exists()


def test_reporter_phone_is_normalised(make_order):
    assert make_order(reporter_phone="+86 138-0013-8000").reporter_phone == "13800138000"


def test_only_the_desk_creates(leader):
    with pytest.raises(PermissionDenied):
        create_order(actor=leader.user, category=f.leaf_category(), description="x", room=None)


# --- Photos -----------------------------------------------------------------------------------------------


def test_photo_is_stored_with_its_sniffed_type_and_an_event(make_order, worker):
    order = make_order("on_site")
    photo = SimpleUploadedFile("before.jpg", PNG, content_type="image/jpeg")  # the name and claim lie
    attachment = add_attachment(actor=worker.user, order=order, file=photo, kind="before")
    assert (attachment.content_type, attachment.size, attachment.kind) == ("image/png", len(PNG), "before")
    assert attachment.file.read() == PNG
    event = order.events.last()
    assert (event.kind, event.actor_id, event.data["attachment"]) == ("attach", worker.user.id, attachment.id)


def test_non_image_is_rejected(make_order, worker):
    order = make_order("on_site")
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.7 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        add_attachment(actor=worker.user, order=order, file=fake)
    assert "file" in error.value.message_dict
    assert not Attachment.objects.exists()


def test_photo_over_10mb_is_rejected(make_order, worker):
    order = make_order("on_site")
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        add_attachment(actor=worker.user, order=order, file=big)
    assert "10 MB" in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_someone_outside_the_crew_may_not_add_photos(make_order, other_leader):
    order = make_order("on_site")
    with pytest.raises(PermissionDenied):
        add_attachment(actor=other_leader.user, order=order, file=SimpleUploadedFile("a.png", PNG))


# --- Incidents --------------------------------------------------------------------------------------------


def test_incident_covers_buildings_of_its_district_only(dispatcher, district, building):
    elsewhere = f.BuildingFactory()
    with pytest.raises(ValidationError):
        create_incident(
            actor=dispatcher, title="停水", system="water", district=district, buildings=[elsewhere]
        )
    incident = create_incident(
        actor=dispatcher, title="37栋停水", system="water", district=district, buildings=[building]
    )
    assert list(incident.buildings.all()) == [building]
    assert Incident.objects.count() == 1
    assert WorkOrderEvent.objects.count() == 0


# --- Created and dispatched in one write (the hotline's repair call) -------------------------------------


def _category():
    from workorders.models import Category

    return Category.objects.get(code="water.leak_fitting")


def test_create_with_dispatch_to_writes_the_same_order_and_timeline_as_create_then_dispatch(
    dispatcher, crew, room, django_capture_on_commit_callbacks
):
    from workorders import signals

    seen = []

    def on_created(sender, order_id, **kw):
        seen.append(("created", order_id))

    def on_changed(sender, order_id, move, from_status, to_status, **kw):
        seen.append((move, from_status, to_status))

    signals.order_created.connect(on_created)
    signals.order_status_changed.connect(on_changed)
    at = timezone.now()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            one = create_order(
                actor=dispatcher,
                category=_category(),
                description="漏水",
                room=room,
                dispatch_to=crew,
                now=at,
            )
        with django_capture_on_commit_callbacks(execute=True):
            two = create_order(actor=dispatcher, category=_category(), description="漏水", room=room, now=at)
            two = dispatch_order(actor=dispatcher, order_id=two.id, crew=crew, now=at)
    finally:
        signals.order_created.disconnect(on_created)
        signals.order_status_changed.disconnect(on_changed)
    one.refresh_from_db()
    two.refresh_from_db()
    for field in (
        "status",
        "crew_id",
        "worker_id",
        "due_at",
        "respond_by",
        "complete_by",
        "first_contact_owner_id",
    ):
        assert getattr(one, field) == getattr(two, field), field
    assert one.status == "dispatched" and one.dispatched_at == one.created_at

    def timeline(order):
        return list(
            order.events.order_by("at", "id").values_list(
                "kind", "from_status", "to_status", "actor_id", "data"
            )
        )

    assert timeline(one) == timeline(two)
    assert [kind for kind, *_ in timeline(one)] == ["create", "dispatch"]
    assert seen[:2] == [("created", one.id), ("dispatch", "received", "dispatched")]
    assert seen[2:] == [("created", two.id), ("dispatch", "received", "dispatched")]


def test_create_with_an_inactive_crew_is_refused_and_writes_nothing(dispatcher, crew, room):
    crew.active = False
    crew.save()
    before = (WorkOrder.objects.count(), WorkOrderEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        create_order(actor=dispatcher, category=_category(), description="漏水", room=room, dispatch_to=crew)
    assert "crew" in exc.value.message_dict
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == before


def test_create_with_dispatch_is_refused_for_a_worker_and_writes_nothing(worker, crew, room):
    before = WorkOrder.objects.count()
    with pytest.raises(PermissionDenied):
        create_order(actor=worker.user, category=_category(), description="漏水", room=room, dispatch_to=crew)
    assert WorkOrder.objects.count() == before


def test_order_numbers_count_up_within_a_day_and_restart_the_next(dispatcher, room):
    day = timezone.now().replace(hour=10)
    numbers = [
        create_order(actor=dispatcher, category=_category(), description="x", room=room, now=at).number
        for at in (day, day, day + timedelta(days=1))
    ]
    first, second, next_day = numbers
    assert first.split("-")[0] == second.split("-")[0] != next_day.split("-")[0]
    assert int(second.split("-")[1]) == int(first.split("-")[1]) + 1
    assert next_day.endswith("-0001")
