"""The work-order API as clients use it (shared/API.md): create, detail, timeline, list filters, query counts,
auth, photos, categories and incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from knox.models import AuthToken

from tests import factories as f
from workorders.actions.attachments import add_attachment
from workorders.actions.closing import rework_order
from workorders.actions.dispatching import dispatch_order
from workorders.actions.escalation import remind_order, supervise_order
from workorders.actions.field_work import complete_order
from workorders.models import Attachment, Incident, WorkOrder

pytestmark = pytest.mark.django_db

LIST = "/api/v1/work-orders/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def _create(client, **body):
    body = {"category": "water.leak_fitting", "description": "厨房水管接头漏水", **body}
    return post(client, LIST, body)


# --- Create -----------------------------------------------------------------------------------------------


def test_create_by_room_answers_201_with_number_status_and_deadlines(dispatcher_client, room, dispatcher):
    response = _create(dispatcher_client, room=room.id, reporter_phone="13800138000", reporter_name="王大妈")
    assert response.status_code == 201, response.json()
    data = response.json()
    order = WorkOrder.objects.get()
    assert data["number"] == order.number and data["status"] == "received"
    assert set(data["deadlines"]) >= {"respond_by", "arrive_by", "complete_by"}
    assert data["location"]["room"] == room.id and data["location"]["label"] == "5区37栋1单元302室"
    assert data["first_contact_owner"]["id"] == dispatcher.id
    assert (order.reporter_name, order.channel, order.charge) == ("王大妈", "phone", "free")


def test_create_by_address_text(dispatcher_client, room):
    response = _create(dispatcher_client, address="5-37-1-302")
    assert response.status_code == 201, response.json()
    assert WorkOrder.objects.get().room_id == room.id


def test_create_at_a_facility(dispatcher_client, district):
    facility = f.FacilityFactory(district=district)
    response = _create(dispatcher_client, facility=facility.id, category="water.main_burst")
    assert response.status_code == 201, response.json()
    order = WorkOrder.objects.get()
    assert (order.facility_id, order.urgency) == (facility.id, "emergency")


def test_create_takes_the_category_by_id_too(dispatcher_client, room):
    category = f.leaf_category("drainage.toilet")
    response = _create(dispatcher_client, room=room.id, category=category.id)
    assert response.status_code == 201
    assert response.json()["category"]["code"] == "drainage.toilet"


def test_a_bad_address_is_400_naming_the_part_in_chinese(dispatcher_client, room):
    response = _create(dispatcher_client, address="9区37栋1单元302室")
    assert response.status_code == 400
    assert response.json() == {"detail": "没有9区。", "errors": {"address": ["没有9区。"]}}
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": ""}, "description"),
        ({"category": "no.such"}, "category"),
        ({"urgency": "asap"}, "urgency"),
        ({"room": 999999}, "room"),
        ({"room": None, "facility": None, "address": ""}, "room"),
        ({"category": "water"}, "category"),  # a top-level category, not a leaf
    ],
)
def test_bad_input_is_400_naming_the_field(dispatcher_client, room, body, field):
    response = _create(dispatcher_client, **{"room": room.id, **body})
    assert response.status_code == 400
    data = response.json()
    assert field in data["errors"]
    assert data["detail"]
    assert not WorkOrder.objects.exists()


def test_missing_description_is_explained_in_chinese(dispatcher_client, room):
    response = post(dispatcher_client, LIST, {"room": room.id, "category": "water.leak_fitting"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"description": ["该字段是必填项。"]}


def test_status_is_read_only(dispatcher_client, room):
    response = _create(dispatcher_client, room=room.id, status="closed")
    assert response.status_code == 201
    assert WorkOrder.objects.get().status == "received"


# --- Detail and timeline ----------------------------------------------------------------------------------


def test_detail_shape(dispatcher_client, make_order):
    order = make_order("completed")
    data = dispatcher_client.get(f"{LIST}{order.id}/").json()
    for key in (
        "number",
        "status",
        "urgency",
        "category",
        "location",
        "crew",
        "worker",
        "first_contact_owner",
        "deadlines",
        "milestones",
        "overdue",
        "rework",
        "remind_count",
        "checklist",
        "materials",
        "fee",
    ):
        assert key in data, key
    assert set(data["deadlines"]) == {"respond_by", "arrive_by", "complete_by", "due_at"}
    assert data["milestones"]["completed_at"] is not None and data["milestones"]["closed_at"] is None
    assert data["checklist"] == dict.fromkeys(
        ("greeting", "shoe_covers", "cloth", "inspection", "note_left"), True
    )
    assert data["materials"] == [
        {"name": "密封圈", "quantity": "2.00", "unit_price": "1.50", "amount": "3.00"}
    ]
    assert data["fee"] == "0.00"
    assert data["crew"]["name"] == "供水班"
    assert data["overdue"] is False and data["rework"] is False
    assert data["deadlines"]["respond_by"].endswith("+08:00")


def test_events_are_the_timeline(dispatcher_client, make_order, dispatcher, leader):
    order = make_order("assigned")
    data = dispatcher_client.get(f"{LIST}{order.id}/events/").json()
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in data] == [
        ("create", "", "received"),
        ("dispatch", "received", "dispatched"),
        ("assign", "dispatched", "assigned"),
    ]
    assert data[0]["actor"]["id"] == dispatcher.id
    assert data[2]["actor"]["id"] == leader.user.id
    assert all({"at", "actor", "kind", "from_status", "to_status", "note"} <= set(e) for e in data)


def test_action_answers_with_the_order_and_a_repeat_is_a_200_no_op(dispatcher_client, make_order, crew):
    order = make_order("received")
    first = post(dispatcher_client, f"{LIST}{order.id}/dispatch/", {"crew": crew.id})
    again = post(dispatcher_client, f"{LIST}{order.id}/dispatch/", {"crew": crew.id})
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["status"] == again.json()["status"] == "dispatched"
    assert order.events.filter(kind="dispatch").count() == 1


def test_a_state_the_move_does_not_fit_is_409_with_a_message(dispatcher_client, make_order):
    order = make_order("received")
    response = post(dispatcher_client, f"{LIST}{order.id}/remind/", {"note": "再催"})
    assert response.status_code == 200
    closed = make_order("closed")
    response = post(dispatcher_client, f"{LIST}{closed.id}/cancel/", {"reason": "duplicate"})
    assert response.status_code == 409
    assert closed.number in response.json()["detail"]


def test_completion_errors_come_back_as_400_and_write_nothing(worker_client, make_order):
    order = make_order("on_site")
    response = post(worker_client, f"{LIST}{order.id}/complete/", {"resolution": "修好了", "checklist": {}})
    assert response.status_code == 400
    assert "checklist" in response.json()["errors"]
    order.refresh_from_db()
    assert (order.status, order.resolution) == ("on_site", "")
    body = {"resolution": "修好了", "materials": [{"name": "弯头", "quantity": "abc"}]}
    assert post(worker_client, f"{LIST}{order.id}/complete/", body).status_code == 400


def test_complete_through_the_api(worker_client, make_order):
    order = make_order("on_site", charge="paid")
    body = {
        "resolution": "更换角阀",
        "checklist": dict.fromkeys(("greeting", "shoe_covers", "cloth", "inspection", "note_left"), True),
        "inspection_findings": "无",
        "materials": [{"name": "角阀", "quantity": "1", "unit_price": "25"}],
        "fee": "40.00",
        "fee_confirmed": True,
    }
    response = post(worker_client, f"{LIST}{order.id}/complete/", body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["fee"], data["materials"][0]["amount"]) == ("completed", "40.00", "25.00")


def test_hand_back_answers_even_though_the_leader_no_longer_sees_the_order(leader_client, make_order):
    order = make_order("assigned")
    response = post(
        leader_client, f"{LIST}{order.id}/hand-back/", {"reason": "not_our_trade", "note": "属电工"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    assert leader_client.get(f"{LIST}{order.id}/").status_code == 404


def test_photo_upload(worker_client, make_order):
    order = make_order("on_site")
    photo = SimpleUploadedFile("after.png", PNG, content_type="image/png")
    response = worker_client.post(f"{LIST}{order.id}/attachments/", {"file": photo, "kind": "after"})
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"
    assert Attachment.objects.get().kind == "after"
    assert worker_client.get(f"{LIST}{order.id}/").json()["attachments"][0]["id"] == response.json()["id"]


def test_photo_upload_rejects_a_non_image(worker_client, make_order):
    order = make_order("on_site")
    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = worker_client.post(f"{LIST}{order.id}/attachments/", {"file": fake})
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


# --- List and filters -------------------------------------------------------------------------------------


@pytest.fixture
def spread(make_order, manager, other_crew, dispatcher, district):
    """A handful of orders that differ in one filtered property each."""
    now = timezone.now()
    orders = {
        "received": make_order("received", now=now - timedelta(days=10)),
        "assigned": make_order("assigned"),
        "emergency": make_order("received", category="water.main_burst", now=now - timedelta(hours=2)),
        "rework": make_order("completed"),
        "electric": make_order("received", category="electrical.home_outage", description="家里跳闸"),
    }
    rework_order(actor=manager, order_id=orders["rework"].id, reason="回访不满意")
    dispatch_order(actor=dispatcher, order_id=orders["electric"].id, crew=other_crew)
    other_district_room = f.RoomFactory(
        unit=f.UnitFactory(building=f.BuildingFactory(district=f.DistrictFactory(number=6)))
    )
    orders["elsewhere"] = make_order("received", room=other_district_room, reporter_phone="13912345678")
    return {k: WorkOrder.objects.get(pk=v.pk) for k, v in orders.items()}


def _ids(client, query):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_list_filters(dispatcher_client, spread, crew, other_crew, district):
    o = spread
    assert _ids(dispatcher_client, "status=assigned") == {o["assigned"].id}
    assert _ids(dispatcher_client, "status=received&status=assigned") == {
        o["received"].id,
        o["assigned"].id,
        o["emergency"].id,
        o["elsewhere"].id,
    }
    assert _ids(dispatcher_client, f"crew={other_crew.id}") == {o["electric"].id}
    assert _ids(dispatcher_client, "urgency=emergency") == {o["emergency"].id}
    assert _ids(dispatcher_client, "overdue=true") == {o["received"].id, o["emergency"].id}
    assert _ids(dispatcher_client, "rework=true") == {o["rework"].id}
    assert _ids(dispatcher_client, f"district={district.id}") == {
        v.id for k, v in o.items() if k != "elsewhere"
    }
    assert _ids(dispatcher_client, "q=跳闸") == {o["electric"].id}
    assert _ids(dispatcher_client, f"q={o['assigned'].number}") == {o["assigned"].id}
    assert _ids(dispatcher_client, "q=139123") == {o["elsewhere"].id}
    after = (timezone.now() - timedelta(days=1)).isoformat().replace("+", "%2B")
    assert o["received"].id not in _ids(dispatcher_client, f"created_after={after}")
    assert _ids(dispatcher_client, f"created_before={after}") == {o["received"].id}
    category = f.leaf_category("electrical.home_outage")
    assert _ids(dispatcher_client, f"category={category.parent_id}") == {o["electric"].id}


def test_list_ordering(dispatcher_client, spread):
    rows = dispatcher_client.get(f"{LIST}?ordering=created_at").json()["results"]
    assert rows[0]["id"] == spread["received"].id
    rows = dispatcher_client.get(f"{LIST}?ordering=-created_at").json()["results"]
    assert rows[-1]["id"] == spread["received"].id


def test_bad_filter_value_is_400_not_500(dispatcher_client):
    assert dispatcher_client.get(f"{LIST}?status=nonsense").status_code == 400
    assert dispatcher_client.get(f"{LIST}?crew=abc").status_code == 400
    assert dispatcher_client.get(f"{LIST}?created_after=yesterday").status_code == 400


def test_any_offset_python_reads_is_the_same_instant(dispatcher_client, make_order):
    # PostgreSQL refuses offsets beyond ±15:59 (the fuzzer's 500); the filter reads the instant instead.
    order = make_order()
    at = order.created_at - timedelta(minutes=1)
    far_east = at.astimezone(timezone.get_fixed_timezone(16 * 60 + 32)).isoformat().replace("+", "%2B")
    assert _ids(dispatcher_client, f"created_after={far_east}") == {order.id}
    assert _ids(dispatcher_client, f"completed_before={far_east}") == set()
    reply = dispatcher_client.get(f"{LIST}?created_before=9999-12-31T23:59:00-23:00")
    assert reply.status_code == 400 and "created_before" in reply.json()["errors"]


def test_list_is_paginated(dispatcher_client, make_order):
    for _ in range(3):
        make_order()
    data = dispatcher_client.get(f"{LIST}?page_size=2").json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


# --- Query counts: flat as rows grow ----------------------------------------------------------------------


def _orders(make_order, n: int, worker, manager) -> None:
    """Half assigned, half completed, one supervised: rows that use every joined relation."""
    first = make_order("assigned")
    for i in range(1, n):
        make_order("completed" if i % 2 else "assigned")
    supervise_order(actor=manager, order_id=first.id, note="督办")


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_flat(
    n, dispatcher_client, make_order, worker, manager, django_assert_num_queries
):
    _orders(make_order, n, worker, manager)
    with django_assert_num_queries(4):
        # 1 session, 2 the user with their groups (visibility) and residents.view_full_phone (crews.auth: one
        # query), 3 COUNT for the paginator (exact below 1,000 rows, bench/README.md), 4 the page with
        # category, its parent, crew, worker and district joined. The desk has no Worker row to read.
        response = dispatcher_client.get(f"{LIST}?page_size=200")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_flat_for_a_leader(
    n, leader_client, make_order, worker, manager, django_assert_num_queries
):
    _orders(make_order, n, worker, manager)
    with django_assert_num_queries(5):
        # 1 session, 2 user with groups and the full-phone permission, 3 the leader's Worker row (crew scope,
        # also reused for masking), 4 COUNT, 5 the page with its joins.
        response = leader_client.get(f"{LIST}?page_size=200")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 5])
def test_detail_query_count_is_flat(n, dispatcher_client, make_order, worker, django_assert_num_queries):
    order = make_order("on_site")
    complete_order(
        actor=worker.user,
        order_id=order.id,
        resolution="换件",
        checklist=dict.fromkeys(("greeting", "shoe_covers", "cloth", "inspection", "note_left"), True),
        materials=[{"name": f"件{i}", "quantity": "1"} for i in range(n)],
    )
    for _ in range(n):
        add_attachment(actor=worker.user, order=order, file=SimpleUploadedFile("a.png", PNG))
    with django_assert_num_queries(5):
        # 1 session, 2 user with groups and the full-phone permission, 3 the order with category, parent,
        # crew, worker, district and first-contact owner joined, 4 its materials, 5 its photos. The desk has
        # no Worker row to read.
        response = dispatcher_client.get(f"{LIST}{order.id}/")
    assert len(response.json()["materials"]) == n


@pytest.mark.parametrize("n", [0, 20])
def test_events_query_count_is_flat(n, dispatcher_client, make_order, dispatcher, django_assert_num_queries):
    order = make_order("assigned")
    for i in range(n):
        remind_order(actor=dispatcher, order_id=order.id, note=f"第{i}次")
    with django_assert_num_queries(4):
        # 1 session, 2 user with groups, 3 the order (visibility), 4 its events with their actors.
        response = dispatcher_client.get(f"{LIST}{order.id}/events/")
    assert len(response.json()) == 3 + n


# --- Auth -------------------------------------------------------------------------------------------------


def test_token_auth(client, dispatcher, make_order):
    order = make_order()
    response = client.post(
        "/api/v1/auth/token/", {"username": "t_dispatcher", "password": "pw"}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.get(user=dispatcher).digest != token  # stored as a digest (crews.tokens)
    from django.test import Client

    fresh = Client()
    response = fresh.get(f"{LIST}{order.id}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert fresh.get(f"{LIST}{order.id}/", HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_token_with_a_wrong_password_is_400(client, dispatcher):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "t_dispatcher", "password": "bad"},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_anonymous_gets_401_with_the_error_shape(anon_client):
    response = anon_client.get(LIST)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert anon_client.get("/api/v1/categories/").status_code == 401


# --- Categories and incidents -----------------------------------------------------------------------------


def test_categories_are_a_two_level_tree(worker_client, django_assert_num_queries):
    with django_assert_num_queries(4):
        # 1 session, 2 user, 3 top-level categories, 4 their leaves (one prefetch for the whole tree).
        response = worker_client.get("/api/v1/categories/")
    tree = response.json()
    assert [node["code"] for node in tree] == ["water", "electrical", "drainage", "maintenance"]
    leaf = next(c for c in tree[0]["children"] if c["code"] == "water.leak_fitting")
    assert leaf == {
        "id": leaf["id"],
        "code": "water.leak_fitting",
        "name": "漏水（户内管件）",
        "crew_kind": "water",
        "default_urgency": "normal",
        "default_area": "indoor",
        "children": [],
    }


def test_incidents_list_and_create(dispatcher_client, district, building, resident):
    body = {
        "title": "37栋计划停水",
        "system": "water",
        "kind": "planned",
        "district": district.id,
        "buildings": [building.id],
        "starts_at": timezone.now().isoformat(),
        "expected_end_at": (timezone.now() + timedelta(hours=4)).isoformat(),
    }
    response = post(dispatcher_client, "/api/v1/incidents/", body)
    assert response.status_code == 201, response.json()
    listed = dispatcher_client.get("/api/v1/incidents/?active=true").json()
    assert listed["count"] == 1 and listed["results"][0]["buildings"] == [building.id]
    assert Incident.objects.get().affected_homes == 1  # the resident's home in the building
    bad = post(dispatcher_client, "/api/v1/incidents/", {**body, "system": "gas"})
    assert bad.status_code == 400 and "system" in bad.json()["errors"]


def test_schema_documents_every_action(dispatcher_client):
    response = dispatcher_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for action in (
        "dispatch",
        "assign",
        "accept",
        "arrive",
        "hold",
        "resume",
        "complete",
        "close",
        "cancel",
        "hand-back",
        "transfer",
        "remind",
        "rework",
        "supervise",
        "request-hold",
        "refuse-hold",
        "request-extension",
        "extend",
        "attachments",
        "events",
    ):
        assert f"/api/v1/work-orders/{{id}}/{action}/" in paths, action
    assert "/api/v1/incidents/" in paths and "/api/v1/categories/" in paths
    order = paths["/api/v1/work-orders/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert order["schema"]["$ref"].endswith("/WorkOrderDetail")
    assert dispatcher_client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_status_filter_keeps_the_index_order_no_distinct(dispatcher_client, make_order):
    """A status filter must not add DISTINCT: PostgreSQL would sort every matching order before the LIMIT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_order("received")
    make_order("dispatched")
    make_order("closed")
    with CaptureQueriesContext(connection) as ctx:
        body = dispatcher_client.get(f"{LIST}?status=received&status=dispatched&urgency=normal").json()
    assert {o["status"] for o in body["results"]} == {"received", "dispatched"}
    page = [
        q["sql"] for q in ctx.captured_queries if "workorders_workorder" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert page and not any("DISTINCT" in sql for sql in page)
