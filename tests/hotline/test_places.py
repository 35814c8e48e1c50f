"""The desk takes a fault anywhere (issue 14 point 7): a room, a building's common area (楼道, 单元门, a
landmark beside a building) or a public facility, offered as the dispatcher types."""

from __future__ import annotations

import pytest

from hotline.models import Call
from tests import factories as f
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def pump_house(district):
    return f.FacilityFactory(district=district, name="5区加压泵房", label="5区加压泵房", kind="pump_house")


def _intake(client, address: str, **extra):
    data = {
        "phone": "13800138000",
        "call_type": "repair",
        "address": address,
        "category": f.leaf_category("water.main_burst").id,
        "summary": "泵房漏水",
        **extra,
    }
    return client.post("/desk/intake/", data, follow=True)


def test_the_desk_takes_a_facility_order_and_dispatches_it(dispatcher_client, pump_house, crew):
    response = _intake(dispatcher_client, "5区加压泵房")
    order = WorkOrder.objects.get()
    assert order.facility == pump_house and order.room is None and order.crew == crew
    assert order.location_label == "5区加压泵房"
    assert f"工单 {order.number} 已派给 供水班" in response.content.decode()
    call = Call.objects.get()
    assert call.work_order == order and call.room is None
    # The calls log shows where the fault is.
    assert "5区加压泵房" in dispatcher_client.get("/desk/calls/").content.decode()


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("5区37栋楼道", "5区37栋 楼道"),
        ("5区37栋1单元 单元门", "5区37栋1单元 单元门"),
        ("5-37旁边的路灯", "5区37栋 旁边的路灯"),
    ],
)
def test_the_desk_takes_a_common_area_or_a_landmark_by_a_building(
    dispatcher_client, building, unit, crew, address, label
):
    _intake(dispatcher_client, address)
    order = WorkOrder.objects.get()
    assert order.building == building and order.room is None and order.facility is None
    assert order.location_label == label
    assert Call.objects.get().building_id == building.id


def test_a_second_call_about_the_facility_is_offered_as_a_reminder(dispatcher_client, pump_house, crew):
    _intake(dispatcher_client, "5区加压泵房")
    response = _intake(dispatcher_client, "5区加压泵房", summary="还在漏")
    page = response.content.decode()
    assert "该位置已有同类未完成工单" in page and WorkOrder.objects.count() == 1
    # The caller panel and the form keep what was typed.
    assert 'value="5区加压泵房"' in page


def test_an_unknown_place_says_why_and_creates_nothing(dispatcher_client, building, crew):
    page = _intake(dispatcher_client, "5区99栋楼道").content.decode()
    assert "99" in page and not WorkOrder.objects.exists()
    page = _intake(dispatcher_client, "不存在的地方").content.decode()
    assert "无法识别地址" in page and not WorkOrder.objects.exists()


def test_the_check_panel_names_the_place_and_its_kind(dispatcher_client, pump_house, building, crew):
    category = f.leaf_category("water.main_burst")
    page = dispatcher_client.get(
        "/desk/intake/check/", {"address": "5区加压泵房", "category": category.id}
    ).content.decode()
    assert "5区加压泵房" in page and "公建设施" in page and "供水班" in page
    page = dispatcher_client.get("/desk/intake/check/", {"address": "5区37栋楼道", "category": category.id})
    assert "公共区域" in page.content.decode()


def test_suggestions_offer_facilities_by_name_or_district(dispatcher_client, pump_house, building):
    f.FacilityFactory(district=f.DistrictFactory(number=6), name="6区加压泵房", label="6区加压泵房")
    page = dispatcher_client.get("/desk/rooms/", {"address": "泵房"}).content.decode()
    assert "5区加压泵房" in page and "6区加压泵房" in page
    page = dispatcher_client.get("/desk/rooms/", {"address": "5区泵"}).content.decode()
    assert "5区加压泵房" in page and "6区加压泵房" not in page


def test_suggestions_offer_a_buildings_common_areas_first(dispatcher_client, room, building, unit):
    page = dispatcher_client.get("/desk/rooms/", {"address": "5区37栋"}).content.decode()
    assert page.index('data-value="5区37栋"') < page.index(room.label)
    assert 'data-value="5区37栋1单元"' in page and "楼道" in page
    # Typing a room number offers rooms only.
    page = dispatcher_client.get("/desk/rooms/", {"address": "5区37栋1单元3"}).content.decode()
    assert room.label in page and 'data-kind="building"' not in page


@pytest.mark.parametrize("n", [2, 12])
def test_suggestions_take_a_fixed_number_of_queries(
    dispatcher_client, building, n, django_assert_num_queries
):
    for i in range(n):
        f.FacilityFactory(district=building.district, name=f"5区泵房{i}", label=f"5区泵房{i}")
    dispatcher_client.get("/desk/rooms/", {"address": "x"})  # the session and user, cached per test client
    with django_assert_num_queries(4):
        # 1 session, 2 user, 3 facilities by name, 4 rooms by label
        dispatcher_client.get("/desk/rooms/", {"address": "泵房"})
