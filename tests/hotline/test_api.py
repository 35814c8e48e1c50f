import pytest
import time_machine
from rest_framework.test import APIClient

from hotline.models import Call
from tests.hotline.conftest import DAY, NIGHT
from workorders.models import WorkOrder


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)  # a session: each request loads its own user, as in production
    return client


@pytest.mark.django_db
def test_lookup_returns_the_rooms_open_orders_and_incidents_of_a_resident_with_two_rooms(
    dispatcher, two_home_resident, room, second_room, make_order, make_incident, building
):
    order = make_order("dispatched", now=DAY)
    incident = make_incident(buildings=[building], starts_at=DAY.replace(year=2020))
    body = api(dispatcher).get("/api/v1/hotline/lookup/?phone=13800138000").json()
    assert body["known"] is True and body["register"] is None
    assert {r["id"] for r in body["rooms"]} == {room.id, second_room.id}
    assert [o["number"] for o in body["open_orders"]] == [order.number]
    assert [i["id"] for i in body["incidents"]] == [incident.id]
    assert body["residents"][0]["phone"] == "13800138000"
    assert set(body) >= {
        "residents",
        "rooms",
        "open_orders",
        "recent_orders",
        "incidents",
        "open_complaints",
        "recent_calls",
    }


@pytest.mark.django_db
def test_lookup_of_an_unknown_number_is_empty_with_an_offer_to_register(dispatcher):
    response = api(dispatcher).get("/api/v1/hotline/lookup/?phone=13912345678")
    assert response.status_code == 200
    body = response.json()
    assert body["known"] is False and body["rooms"] == [] and body["open_orders"] == []
    assert body["register"]["offer"] is True and body["register"]["phone"] == "13912345678"


@pytest.mark.django_db
def test_lookup_of_a_malformed_number_is_400_with_a_chinese_message(dispatcher):
    response = api(dispatcher).get("/api/v1/hotline/lookup/?phone=12ab")
    assert response.status_code == 400
    assert "电话号码" in response.json()["detail"] and "phone" in response.json()["errors"]


@pytest.mark.django_db
def test_lookup_is_for_the_desk_only(worker, leader):
    assert api().get("/api/v1/hotline/lookup/?phone=13800138000").status_code in (401, 403)
    assert api(worker.user).get("/api/v1/hotline/lookup/?phone=13800138000").status_code == 403
    assert api(leader.user).get("/api/v1/calls/").status_code == 403


@pytest.mark.django_db
def test_lookup_api_query_count_is_flat_as_orders_grow(
    dispatcher, two_home_resident, second_room, make_order, django_assert_num_queries
):
    make_order("dispatched", now=DAY)
    client = api(dispatcher)

    def measure():
        # session, the user with roles and view_full_phone (crews.auth) (2), residents with their rooms (one
        # LEFT JOIN), open and recent orders in one query, incidents, open complaints, recent calls (5),
        # the phone-view log: one bulk INSERT for every resident shown (1)
        with django_assert_num_queries(8):
            assert client.get("/api/v1/hotline/lookup/?phone=13800138000").status_code == 200

    measure()
    for _ in range(12):
        make_order("received", now=DAY)
        make_order("received", room=second_room, now=DAY)
    measure()


@pytest.mark.django_db
def test_post_a_repair_call_creates_and_dispatches_the_order(dispatcher, resident, room, crew):
    response = api(dispatcher).post(
        "/api/v1/calls/",
        {
            "phone": "13800138000",
            "channel": "phone",
            "call_type": "repair",
            "summary": "厨房漏水",
            "address": "5区37栋1单元302室",
            "category": "water.leak_fitting",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    order = WorkOrder.objects.get()
    assert body["work_order"]["number"] == order.number and body["work_order"]["status"] == "dispatched"
    assert body["dispatched_to"] == "供水班" and body["duplicates"] == [] and body["complaint"] is None
    assert body["call"]["work_order"] == order.number


@pytest.mark.django_db
@pytest.mark.parametrize(("at", "expected"), [(DAY, 25), (NIGHT, 26)], ids=["working-hours", "night"])
def test_intake_runs_a_fixed_number_of_statements_as_orders_and_calls_grow(
    at, expected, dispatcher, resident, room, crew, make_order, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = {
        "phone": "13800138000",
        "call_type": "repair",
        "summary": "厨房漏水",
        "room": room.id,
        "category": "water.leak_fitting",
        "allow_duplicate": True,  # the duplicates are read and answered, the order made all the same
    }

    def measure():
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/calls/", body, format="json")
        assert response.status_code == 201, response.json()
        return len(ctx.captured_queries), response.json()

    # The crew suggestion reads the working calendar, and outside working hours the duty roster too: the
    # clock is frozen so that the count does not depend on the hour the suite runs at.
    with time_machine.travel(at, tick=False):
        client = api(dispatcher)  # signed in at that hour (a session is a shift long)
        make_order("dispatched")  # the day's number counter exists, as on every intake but the day's first
        first, _ = measure()
        for _ in range(6):
            make_order("dispatched")
        second, answer = measure()
    assert len(answer["duplicates"]) == 5
    # session, user with roles (crews.auth); the room and the category (input); SAVEPOINT (the test's own
    # transaction around take_call's); active orders of that category at the room (duplicates); the caller
    # (one query); the working calendar and its holidays (loaded once); at night the worker on duty (值班);
    # the crew to suggest; the service commitment; the day's number (UPDATE … RETURNING); the order; its
    # create event; the dispatch through perform (UPDATE, its event: the new row is not locked or read
    # again); the call; RELEASE; the mass-fault COUNT; on commit the SMS (the
    # new order is passed along, not read again): its Notification (SAVEPOINT, INSERT, RELEASE) and its
    # delivery (eager in tests: claim, read, mark sent)
    assert first == second == expected


@pytest.mark.django_db
def test_post_refuses_a_duplicate_when_asked_and_records_a_reminder(dispatcher, room, crew, make_order):
    existing = make_order("dispatched")
    client = api(dispatcher)
    data = {
        "phone": "13800138000",
        "call_type": "repair",
        "summary": "还漏",
        "room": room.id,
        "category": "water.leak_fitting",
    }
    # By default, as at the desk (allow_duplicate: false).
    assert client.post("/api/v1/calls/", data, format="json").status_code == 409
    response = client.post(
        "/api/v1/calls/",
        {"phone": "13800138000", "call_type": "reminder", "work_order": existing.id},
        format="json",
    )
    assert response.status_code == 201
    existing.refresh_from_db()
    assert existing.remind_count == 1 and WorkOrder.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"address": "5区37栋1单元999室"}, "address"),
        ({"category": "water"}, "category"),
        ({"phone": "1"}, "phone"),
        ({"summary": ""}, "summary"),
    ],
)
def test_post_bad_input_is_400_and_writes_nothing(dispatcher, room, crew, data, field):
    body = {
        "phone": "13800138000",
        "call_type": "repair",
        "summary": "漏水",
        "address": "5-37-1-302",
        "category": "water.leak_fitting",
        **data,
    }
    response = api(dispatcher).post("/api/v1/calls/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Call.objects.exists() and not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_calls_list_filters_by_phone_and_type_with_a_flat_query_count(dispatcher, django_assert_num_queries):
    from hotline.services import take_call

    def log(n):
        for _ in range(n):
            take_call(actor=dispatcher, call_type="inquiry", phone="13800138000", summary="问", answer="答")
            take_call(actor=dispatcher, call_type="help", phone="13900139000", summary="求助")

    log(1)
    client = api(dispatcher)

    def measure(expected):
        # session, user with roles and view_full_phone (crews.auth), count (exact below 1,000 rows), the page
        # with its relations
        with django_assert_num_queries(4):
            body = client.get("/api/v1/calls/?phone=13800138000&call_type=inquiry").json()
        assert body["count"] == expected
        assert {c["call_type"] for c in body["results"]} == {"inquiry"}

    measure(1)
    log(8)
    measure(9)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dispatcher", "nobody"])
def test_lookup_shapes_read_only_what_the_screen_loaded(
    who,
    django_assert_num_queries,
    dispatcher,
    manager,
    two_home_resident,
    make_order,
    make_incident,
    building,
):
    """The caller screen reads its rows with `only()` the columns shown: serializing them loads nothing more
    (no deferred field, no relation), and phones follow the viewer."""
    from rest_framework.test import APIRequestFactory

    from hotline.api import serializers as s
    from hotline.selectors import caller_screen
    from hotline.services import hand_over_call, take_call
    from residents.selectors import can_see_full_phone

    make_order("dispatched", now=DAY)
    make_order("closed", now=DAY)
    make_order("received", now=DAY)  # no crew yet
    make_incident(buildings=[building])
    take_call(actor=dispatcher, call_type="inquiry", phone="13800138000", summary="问", answer="答")
    help_call = take_call(actor=dispatcher, call_type="help", phone="13800138000", summary="求助").call
    hand_over_call(actor=dispatcher, call_id=help_call.id, to_user=manager)
    from django.contrib.auth.models import User

    viewer = dispatcher if who == "dispatcher" else User.objects.create_user("nobody")
    request = APIRequestFactory().get("/")
    request.user = viewer
    context = {"request": request}
    screen = caller_screen(user=dispatcher, phone="13800138000")
    can_see_full_phone(viewer)  # the viewer's one permission query, as the request's authentication makes it
    pairs = [
        (s.OrderBriefSerializer, screen.open_orders + screen.recent_orders),
        (s.IncidentBriefSerializer, screen.incidents),
        (s.ScreenRoomSerializer, screen.rooms),
        (s.ScreenResidentSerializer, screen.residents),
        (s.CallSerializer, screen.recent_calls),
    ]
    for cls, objects in pairs:
        assert objects, cls
        with django_assert_num_queries(0):
            data = [cls(obj, context=context).data for obj in objects]
        assert all(set(row) == set(cls().fields) for row in data), cls
    shown = s.ScreenResidentSerializer(screen.residents[0], context=context).data["phone"]
    assert shown == ("13800138000" if who == "dispatcher" else "138****8000")
    assert any(o.crew is None for o in screen.open_orders)
    assert any(c.handed_to_id for c in screen.recent_calls)
