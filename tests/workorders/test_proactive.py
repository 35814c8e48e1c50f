"""Work the crew starts itself (主动服务, issue 15): an order opened on the spot by a worker or a leader,
starting at accepted or on site, channel `self`, linked to the order where it was found; its KPI in the
monthly assessment; the rooms above and below an order's room with their open orders."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from feedback.actions.assessment import set_assessment_weights
from feedback.reports.assessment import month_assessment
from tests import factories as f
from workorders.actions.field_work import complete_order
from workorders.actions.proactive import open_on_the_spot
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
NEW = "/orders/new/"
CHECKLIST = dict.fromkeys(("greeting", "shoe_covers", "cloth", "inspection", "note_left"), True)


def _photo():
    return SimpleUploadedFile("p.png", f.tiny_png(), content_type="image/png")


def test_a_worker_opens_an_order_on_the_spot_that_is_theirs_and_on_site(worker, room, make_order):
    found_in = make_order("on_site")
    order = open_on_the_spot(
        actor=worker.user,
        category=f.leaf_category("water.leak_fitting"),
        description="通检发现卫生间角阀渗水",
        room=room,
        photo=_photo(),
        linked_from=found_in,
    )
    assert (order.status, order.channel, order.worker_id, order.crew_id) == (
        "on_site",
        "self",
        worker.id,
        worker.crew_id,
    )
    assert order.linked_from_id == found_in.id and order.accepted_at and order.arrived_at
    kinds = list(order.events.order_by("id").values_list("kind", "actor_id"))
    assert kinds == [
        (k, worker.user.id) for k in ("create", "dispatch", "assign", "accept", "arrive", "attach")
    ]
    assert order.attachments.get().kind == "before"


def test_a_leader_opens_one_for_a_worker_of_the_crew_starting_at_accepted(leader, worker, room):
    order = open_on_the_spot(
        actor=leader.user,
        category=f.leaf_category("water.leak_fitting"),
        description="楼上渗水",
        room=room,
        worker=worker,
        start="accepted",
    )
    assert (order.status, order.worker_id, order.arrived_at) == ("accepted", worker.id, None)


def test_refusals_write_nothing(leader, worker, other_worker, other_leader, dispatcher, room):
    kwargs = {"category": f.leaf_category("water.leak_fitting"), "description": "漏水", "room": room}
    with pytest.raises(PermissionDenied):  # a worker opens for themself only
        open_on_the_spot(actor=worker.user, worker=other_worker, **kwargs)
    with pytest.raises(PermissionDenied):  # the desk has the intake for this
        open_on_the_spot(actor=dispatcher, **kwargs)
    with pytest.raises(ValidationError):  # a leader names the worker…
        open_on_the_spot(actor=leader.user, **kwargs)
    with pytest.raises(ValidationError):  # …of their own crew
        open_on_the_spot(actor=other_leader.user, worker=worker, **kwargs)
    with pytest.raises(ValidationError):  # it starts in the worker's hands
        open_on_the_spot(actor=worker.user, start="assigned", **kwargs)
    assert not WorkOrder.objects.exists()


def test_the_form_opens_it_from_a_finding_with_a_photo(worker_client, worker, room, make_order):
    found_in = make_order("on_site")
    page = worker_client.get(NEW, {"from": found_in.pk, "room": room.pk, "description": "角阀渗水"})
    assert page.status_code == 200
    html = page.content.decode()
    assert room.label in html and "角阀渗水" in html and found_in.number in html
    category = f.leaf_category("water.leak_fitting")
    response = worker_client.post(
        NEW,
        {
            "from": found_in.pk,
            "address": room.label,
            "category": category.pk,
            "description": "角阀渗水",
            "start": "on_site",
            "photos": _photo(),
        },
    )
    order = WorkOrder.objects.get(channel="self")
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert order.linked_from_id == found_in.pk and order.attachments.count() == 1


def test_a_bad_address_is_a_chinese_message_and_changes_nothing(worker_client):
    response = worker_client.post(
        NEW,
        {"address": "火星1区", "category": f.leaf_category().pk, "description": "漏水", "start": "on_site"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["address"]
    assert not WorkOrder.objects.exists()


def test_the_form_is_only_for_crew_members(dispatcher_client, manager_client, anon_client):
    assert dispatcher_client.get(NEW).status_code == 404
    assert manager_client.post(NEW, {}).status_code == 404
    assert anon_client.get(NEW).status_code == 302


def test_proactive_work_is_its_own_kpi_with_the_weight_the_manager_sets(worker, room, manager, make_order):
    at = timezone.make_aware(datetime(2026, 10, 12, 10, 0))
    spot = open_on_the_spot(
        actor=worker.user, category=f.leaf_category(), description="通检发现", room=room, now=at
    )
    complete_order(actor=worker.user, order_id=spot.id, resolution="修好", checklist=CHECKLIST, now=at)
    called = make_order("on_site", now=at)
    complete_order(actor=worker.user, order_id=called.id, resolution="修好", checklist=CHECKLIST, now=at)
    now = timezone.make_aware(datetime(2026, 11, 2, 10, 0))
    [line] = [x for x in month_assessment(date(2026, 10, 1), "worker", now=now) if x.key == worker.id]
    assert line.counts["proactive"] == 1 and line.counts["completed"] == 2
    assert line.values["proactive"] == 0.5
    set_assessment_weights(actor=manager, weights={"proactive": "1"})  # only 主动服务 counts
    [line] = [x for x in month_assessment(date(2026, 10, 1), "worker", now=now) if x.key == worker.id]
    assert line.base_score == 50


# --- 楼上楼下 ------------------------------------------------------------------------------------------------


@pytest.fixture
def stack(unit, room, make_order):
    rooms = {n: f.RoomFactory(unit=unit, number=n, floor=int(n[0])) for n in ("202", "402", "301")}
    rooms["302"] = room
    here = make_order("assigned", room=rooms["302"])
    above = make_order("dispatched", room=rooms["402"], description="楼上卫生间漏水")
    return rooms, here, above


def test_an_order_in_302_offers_402_and_202_with_their_open_orders(
    stack, worker_client, dispatcher_client, django_assert_num_queries
):
    rooms, here, above = stack
    # 1 session, 2 user, 3 the worker's row, 4 the order, 5 its room, 6 the rooms above and below, 7 their
    # open orders (whatever the number of orders there)
    with django_assert_num_queries(7):
        response = worker_client.get(f"/orders/{here.pk}/stacked/")
    rows = response.context["rows"]
    assert [(r["room"].number, r["above"], [o.pk for o in r["orders"]]) for r in rows] == [
        ("402", True, [above.pk]),
        ("202", False, []),
    ]
    html = response.content.decode()
    assert f"/orders/new/?from={here.pk}&amp;room={rooms['402'].pk}" in html
    desk = dispatcher_client.get(f"/orders/{here.pk}/stacked/").content.decode()
    assert "/desk/intake/?address=" in desk


def test_the_stacked_panel_follows_the_orders_visibility(stack, other_leader_client):
    _rooms, here, _above = stack
    assert other_leader_client.get(f"/orders/{here.pk}/stacked/").status_code == 404
