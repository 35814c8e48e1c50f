import pytest
from django.contrib.auth.models import Group, Permission

from hotline.models import Call
from tests import factories as f
from tests.hotline.conftest import DAY
from workorders.models import WorkOrder

DESK_PAGES = [
    "/desk/intake/",
    "/desk/window/",
    "/desk/board/",
    "/desk/calls/",
    "/desk/calls/inbox/",
    "/desk/lookup/?phone=13800138000",
    "/desk/intake/check/",
    "/desk/rooms/?address=5-37",
    "/desk/incidents/new/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", DESK_PAGES)
def test_desk_pages_open_for_the_desk_are_403_for_crew_staff_and_redirect_anonymous_users(
    url, dispatcher_client, manager_client, leader_client, worker_client, anon_client, resident
):
    assert dispatcher_client.get(url).status_code == 200
    assert manager_client.get(url).status_code == 200
    assert leader_client.get(url).status_code == 403
    assert worker_client.get(url).status_code == 403
    response = anon_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_nav_shows_desk_links_to_dispatchers_only(dispatcher_client, worker_client):
    assert "调度看板" in dispatcher_client.get("/overview/").content.decode()
    assert "调度看板" not in worker_client.get("/overview/").content.decode()


@pytest.mark.django_db
def test_intake_page_is_chinese_and_documents_its_shortcuts(dispatcher_client):
    page = dispatcher_client.get("/desk/intake/").content.decode()
    for text in ("受理台", "来电号码", "拼音首字母", "Alt+R", "Enter", "提交"):
        assert text in page


@pytest.mark.django_db
def test_intake_submit_creates_the_call_and_a_dispatched_order(
    dispatcher_client, resident, room, crew, django_capture_on_commit_callbacks
):
    category = f.leaf_category("water.leak_fitting")
    data = {
        "phone": "13800138000",
        "call_type": "repair",
        "address": "5区37栋1单元302室",
        "category": category.id,
        "summary": "厨房水管漏水",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher_client.post("/desk/intake/", data, follow=True)
    order = WorkOrder.objects.get()
    assert order.status == "dispatched" and order.crew == crew and order.room == room
    assert Call.objects.get().work_order == order
    assert f"工单 {order.number} 已派给 供水班" in response.content.decode()


@pytest.mark.django_db
def test_intake_with_a_wrong_address_says_why_in_chinese_and_creates_nothing(dispatcher_client, room, crew):
    data = {
        "phone": "13800138000",
        "call_type": "repair",
        "address": "5区99栋1单元302室",
        "category": f.leaf_category().id,
        "summary": "漏水",
    }
    response = dispatcher_client.post("/desk/intake/", data)
    assert response.status_code == 200
    assert "99" in response.content.decode() and "没有" in response.content.decode()
    assert not WorkOrder.objects.exists() and not Call.objects.exists()


@pytest.mark.django_db
def test_intake_duplicate_warns_then_the_reminder_button_counts_on_the_order(
    dispatcher_client, room, crew, make_order
):
    existing = make_order("dispatched")
    data = {
        "phone": "13800138000",
        "call_type": "repair",
        "address": "5-37-1-302",
        "category": existing.category_id,
        "summary": "还在漏",
    }
    response = dispatcher_client.post("/desk/intake/", data)
    page = response.content.decode()
    assert "是否为催单" in page and existing.number in page and "这是催单" in page
    assert WorkOrder.objects.count() == 1
    response = dispatcher_client.post("/desk/intake/", {**data, "remind_order": existing.id}, follow=True)
    existing.refresh_from_db()
    assert existing.remind_count == 1 and WorkOrder.objects.count() == 1
    assert Call.objects.get().call_type == "reminder"
    assert "已记为催单" in response.content.decode()


@pytest.mark.django_db
def test_intake_check_panel_offers_the_incident_covering_the_building(
    dispatcher_client, room, crew, building, make_incident
):
    incident = make_incident(buildings=[building], starts_at=DAY.replace(year=2020))
    category = f.leaf_category("water.low_pressure")
    page = dispatcher_client.get(
        f"/desk/intake/check/?address=5-37-1-302&category={category.id}"
    ).content.decode()
    assert incident.title in page and "来电并入此事件" in page and "供水班" in page
    dispatcher_client.post(
        "/desk/intake/",
        {
            "phone": "13800138000",
            "call_type": "repair",
            "address": "5-37-1-302",
            "category": category.id,
            "summary": "没水",
            "attach_incident": incident.id,
        },
    )
    assert Call.objects.get().incident == incident and not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_caller_panel_shows_rooms_and_masks_phones_for_those_without_the_permission(
    dispatcher, dispatcher_client, two_home_resident, second_room
):
    page = dispatcher_client.get("/desk/lookup/?phone=13800138000", HTTP_HX_REQUEST="true").content.decode()
    assert "王大妈" in page and "13800138000" in page and second_room.label in page
    Group.objects.get(name="dispatcher").permissions.remove(
        Permission.objects.get(codename="view_full_phone")
    )
    page = dispatcher_client.get("/desk/lookup/?phone=13800138000", HTTP_HX_REQUEST="true").content.decode()
    assert "138****8000" in page and "13800138000" not in page.replace('value="13800138000"', "")


@pytest.mark.django_db
def test_caller_panel_for_an_unknown_number_offers_to_register_the_caller(dispatcher_client, room):
    page = dispatcher_client.get("/desk/lookup/?phone=13912345678", HTTP_HX_REQUEST="true").content.decode()
    assert "未登记号码" in page and "登记来电人" in page
    page = dispatcher_client.post(
        "/desk/callers/register/", {"phone": "13912345678", "name": "新住户", "address": "5-37-1-302"}
    ).content.decode()
    assert "新住户" in page and room.label in page


@pytest.mark.django_db
def test_address_suggestions_as_you_type(dispatcher_client, room):
    page = dispatcher_client.get("/desk/rooms/?address=5区37栋1单元3").content.decode()
    assert room.label in page


@pytest.mark.django_db
def test_board_query_count_is_flat_as_orders_grow(dispatcher_client, make_order, django_assert_num_queries):
    make_order("dispatched")
    make_order("received")

    def measure():
        # 1 session, 2 user with roles and view_full_phone (crews.auth), 3 counts per state (one aggregate,
        # also the paginator's total), 4 page of orders with their relations, 5 crews for filters and actions,
        # 6 the last hand-back of the page's received orders (hotline.selectors.hand_backs), 7 districts
        with django_assert_num_queries(7):
            response = dispatcher_client.get("/desk/board/?overdue=false")
        assert response.status_code == 200
        return response

    assert measure().context["page"].paginator.count == 2
    for _ in range(11):
        make_order("received")
        make_order("assigned")
    make_order("completed")  # not on the board
    assert measure().context["page"].paginator.count == 24
    # The total follows the states asked for, as a COUNT over the filtered orders would.
    response = dispatcher_client.get("/desk/board/?status=received&status=dispatched")
    assert response.context["page"].paginator.count == 13
    assert len(response.context["page"].object_list) == 13


@pytest.mark.django_db
def test_board_filters_by_crew_and_state_and_htmx_gets_the_fragment_that_keeps_the_filters(
    dispatcher_client, make_order, crew, other_crew
):
    mine = make_order("dispatched")
    waiting = make_order("received")
    page = dispatcher_client.get(f"/desk/board/?crew={other_crew.id}").content.decode()
    assert mine.number not in page
    page = dispatcher_client.get("/desk/board/?status=received", HTTP_HX_REQUEST="true").content.decode()
    assert waiting.number in page and mine.number not in page
    assert 'hx-get="/desk/board/?status=received"' in page and "<html" not in page


@pytest.mark.django_db
def test_board_marks_overdue_orders(dispatcher_client, make_order):
    from datetime import timedelta

    from django.utils import timezone

    late = make_order("dispatched", now=timezone.now() - timedelta(hours=2), urgency="emergency")
    page = dispatcher_client.get("/desk/board/?overdue=true").content.decode()
    assert late.number in page and "超时" in page


@pytest.mark.django_db
def test_board_dispatch_transfer_cancel_call_the_services(dispatcher_client, make_order, crew, other_crew):
    order = make_order("received")
    dispatcher_client.post(f"/desk/board/{order.id}/dispatch/", {"status": "received", "crew": crew.id})
    order.refresh_from_db()
    assert order.status == "dispatched" and order.crew == crew
    dispatcher_client.post(
        f"/desk/board/{order.id}/transfer/",
        {"status": "dispatched", "crew": other_crew.id, "reason": "不是本工种"},
    )
    order.refresh_from_db()
    assert order.crew == other_crew and order.events.filter(kind="transfer").exists()
    dispatcher_client.post(
        f"/desk/board/{order.id}/cancel/", {"status": "dispatched", "cancel_reason": "duplicate"}
    )
    order.refresh_from_db()
    assert order.status == "cancelled"


@pytest.mark.django_db
def test_a_stale_board_action_changes_nothing_and_says_so(dispatcher_client, make_order, other_crew):
    order = make_order("assigned")
    response = dispatcher_client.post(
        f"/desk/board/{order.id}/dispatch/", {"status": "received", "crew": other_crew.id}, follow=True
    )
    order.refresh_from_db()
    assert order.status == "assigned" and order.crew != other_crew
    assert "看板信息已过期" in response.content.decode()


@pytest.mark.django_db
def test_supervise_is_for_managers_only(dispatcher_client, manager_client, make_order):
    order = make_order("dispatched")
    response = dispatcher_client.post(
        f"/desk/board/{order.id}/supervise/", {"status": "dispatched", "note": "今天办完"}, follow=True
    )
    order.refresh_from_db()
    assert (
        order.supervised_at is None and "不能" in response.content.decode()
    ) or "无权" in response.content.decode()
    manager_client.post(f"/desk/board/{order.id}/supervise/", {"status": "dispatched", "note": "今天办完"})
    order.refresh_from_db()
    assert order.supervised_at is not None


@pytest.mark.django_db
def test_board_actions_are_denied_to_crew_staff(leader_client, make_order, crew):
    order = make_order("received")
    assert (
        leader_client.post(
            f"/desk/board/{order.id}/dispatch/", {"status": "received", "crew": crew.id}
        ).status_code
        == 403
    )
    order.refresh_from_db()
    assert order.status == "received"


@pytest.mark.django_db
def test_call_list_query_count_is_flat_and_filters_by_type(
    dispatcher, dispatcher_client, django_assert_num_queries
):
    from hotline.services import take_call

    def log(n):
        for _ in range(n):
            take_call(actor=dispatcher, call_type="inquiry", phone="13800138000", summary="问", answer="答")
            take_call(actor=dispatcher, call_type="help", phone="13900139000", summary="求助")

    log(1)

    def measure():
        # session, user with roles and view_full_phone (crews.auth), count, page of calls with relations
        with django_assert_num_queries(4):
            response = dispatcher_client.get("/desk/calls/?call_type=help")
        assert response.status_code == 200
        return response.content.decode()

    page = measure()
    assert "求助" in page
    log(10)
    measure()


@pytest.mark.django_db
def test_inbox_lists_open_manager_calls_and_closing_removes_them(dispatcher, manager_client):
    from hotline.services import take_call

    call = take_call(actor=dispatcher, call_type="suggestion", phone="13800138000", summary="楼道灯太暗").call
    take_call(actor=dispatcher, call_type="inquiry", phone="13800138000", summary="问", answer="答")
    page = manager_client.get("/desk/calls/inbox/").content.decode()
    assert "楼道灯太暗" in page and "咨询" not in page
    manager_client.post(f"/desk/calls/{call.id}/close/", {"note": "已转物业"})
    call.refresh_from_db()
    assert call.closed_at is not None
    assert "楼道灯太暗" not in manager_client.get("/desk/calls/inbox/").content.decode()


@pytest.mark.django_db
def test_incident_form_declares_an_incident_over_the_building(dispatcher_client, room, building):
    response = dispatcher_client.post(
        "/desk/incidents/new/",
        {"title": "37栋停水", "system": "water", "kind": "sudden", "address": "5-37-1-302"},
    )
    assert response.status_code == 302
    from workorders.models import Incident

    incident = Incident.objects.get()
    assert list(incident.buildings.all()) == [building]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_board_page_walks_its_index_in_order_instead_of_sorting_every_active_order(dispatcher):
    from django.db import connection

    from hotline.selectors import board_orders

    sql, params = board_orders(dispatcher)[:50].query.sql_with_params()
    with connection.cursor() as c:
        # Costs as if the table were large (a test database is too small for the planner to bother).
        c.execute("SET LOCAL enable_seqscan = off")
        c.execute("SET LOCAL enable_sort = off")
        c.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in c.fetchall())
    assert "wo_board_due" in plan and "Sort" not in plan, plan


@pytest.mark.django_db
def test_board_with_a_filter_it_cannot_read_says_so_and_lists_nothing(dispatcher_client, make_order):
    make_order("dispatched")
    response = dispatcher_client.get("/desk/board/?crew=abc&page=3")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0 and not response.context["page"].object_list
    assert "crew" in response.context["filterset"].errors
    assert 'class="filter-errors error"' in response.content.decode()
