"""Orders at every kind of place (issue 14 point 7): a room, a building's common area, a public facility. The
order list's `facility` and `building` filters, so a count about a place opens exactly its orders."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/api/v1/work-orders/"


@pytest.fixture
def pump_house(district):
    return f.FacilityFactory(district=district, name="5区泵房", label="5区泵房")


def _ids(client, query: str) -> set[int]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_facility_filter_lists_only_that_facilitys_orders(
    dispatcher_client, make_order, pump_house, district
):
    at_facility = make_order(room=None, facility=pump_house, category="water.main_burst")
    other = f.FacilityFactory(district=district, name="5区锅炉房", label="5区锅炉房")
    make_order(room=None, facility=other, category="water.main_burst")
    at_room = make_order()
    assert _ids(dispatcher_client, f"facility={pump_house.id}") == {at_facility.id}
    assert len(_ids(dispatcher_client, "facility=")) == 3 and at_room.id in _ids(
        dispatcher_client, "facility="
    )
    assert dispatcher_client.get(f"{LIST}?facility=abc").status_code == 400
    assert dispatcher_client.get(f"{LIST}?facility=999999").status_code == 400


def test_building_filter_lists_the_buildings_orders(dispatcher_client, make_order, building, pump_house):
    in_building = make_order()
    make_order(room=None, facility=pump_house, category="water.main_burst")
    elsewhere = f.RoomFactory(unit=f.UnitFactory(building=f.BuildingFactory(district=building.district)))
    make_order(room=elsewhere)
    assert _ids(dispatcher_client, f"building={building.id}") == {in_building.id}


def test_board_filters_by_facility(dispatcher_client, make_order, pump_house):
    at_facility = make_order("dispatched", room=None, facility=pump_house, category="water.main_burst")
    at_room = make_order("dispatched")
    html = dispatcher_client.get(f"/desk/board/?facility={pump_house.id}").content.decode()
    assert at_facility.number in html and at_room.number not in html


# --- create_order: exactly one place ---------------------------------------------------------------------


def _create(dispatcher, **kwargs):
    from workorders.actions.intake import create_order

    kwargs.setdefault("description", "楼道灯不亮")
    category = f.leaf_category(kwargs.pop("category", "water.leak_fitting"))
    return create_order(actor=dispatcher, category=category, **kwargs)


def test_an_order_at_a_buildings_common_area_keeps_the_building_and_the_note(dispatcher, building, unit):
    order = _create(dispatcher, building=building, unit=unit, location_detail="楼道")
    order.refresh_from_db()
    assert order.room_id is None and order.facility_id is None
    assert order.building_id == building.id and order.district_id == building.district_id
    assert order.location_label == "5区37栋1单元 楼道"


def test_an_order_at_a_facility_has_no_building(dispatcher, pump_house):
    order = _create(dispatcher, facility=pump_house, location_detail="2号泵")
    assert order.building_id is None and order.location_label == "5区泵房 2号泵"


@pytest.mark.parametrize("places", [(), ("room", "facility"), ("room", "building"), ("building", "facility")])
def test_an_order_needs_exactly_one_place(dispatcher, room, building, pump_house, places):
    from django.core.exceptions import ValidationError

    given = {"room": room, "building": building, "facility": pump_house}
    with pytest.raises(ValidationError):
        _create(dispatcher, **{name: given[name] for name in places})


def test_a_unit_of_another_building_is_refused(dispatcher, building):
    from django.core.exceptions import ValidationError

    other = f.UnitFactory(building=f.BuildingFactory(district=building.district))
    with pytest.raises(ValidationError) as caught:
        _create(dispatcher, building=building, unit=other)
    assert "unit" in caught.value.message_dict


def test_the_database_refuses_an_order_with_two_places(dispatcher, room, pump_house):
    from django.db import IntegrityError, transaction

    from workorders.models import WorkOrder

    order = _create(dispatcher, room=room)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(facility=pump_house)


@pytest.mark.parametrize("where", ["facility", "building"])
def test_an_open_order_at_the_same_facility_or_common_area_is_a_likely_duplicate(
    dispatcher, building, pump_house, room, where
):
    from workorders.selectors import DuplicateOrder

    place = {"facility": pump_house} if where == "facility" else {"building": building}
    first = _create(dispatcher, **place)
    _create(dispatcher, room=room)  # a room of the building: not the common area
    with pytest.raises(DuplicateOrder) as caught:
        _create(dispatcher, allow_duplicate=False, **place)
    assert [o.pk for o in caught.value.duplicates] == [first.pk]
    # Another category at the same place is no duplicate.
    _create(dispatcher, allow_duplicate=False, category="electrical.home_outage", **place)


# --- API --------------------------------------------------------------------------------------------------


def _post(client, **body):
    body = {"category": "water.leak_fitting", "description": "楼道水管漏水", **body}
    return client.post(LIST, body, content_type="application/json")


def test_api_creates_an_order_at_a_building_and_at_a_facility(dispatcher_client, building, pump_house):
    response = _post(dispatcher_client, building=building.id, location_detail="楼道")
    assert response.status_code == 201, response.json()
    location = response.json()["location"]
    assert location["label"] == "5区37栋 楼道" and location["building"] == building.id
    assert location["room"] is None and location["facility"] is None
    response = _post(dispatcher_client, facility=pump_house.id)
    assert response.status_code == 201
    assert response.json()["location"]["label"] == "5区泵房"
    assert response.json()["location"]["facility"] == pump_house.id


def test_api_reads_a_common_area_or_facility_address(dispatcher_client, building, unit, pump_house):
    response = _post(dispatcher_client, address="5区37栋1单元楼道灯")
    assert response.status_code == 201, response.json()
    assert response.json()["location"]["label"] == "5区37栋1单元 楼道灯"
    response = _post(dispatcher_client, address="5区泵房 进水阀")
    assert response.status_code == 201, response.json()
    assert response.json()["location"]["label"] == "5区泵房 进水阀"


def test_api_answers_400_for_no_place_or_two(dispatcher_client, room, building, pump_house):
    response = _post(dispatcher_client)
    assert response.status_code == 400 and "room" in response.json()["errors"]
    response = _post(dispatcher_client, room=room.id, building=building.id)
    assert response.status_code == 400 and "building" in response.json()["errors"]
    response = _post(dispatcher_client, building=building.id, facility=pump_house.id)
    assert response.status_code == 400 and response.json()["errors"].keys() & {"building", "facility"}


def test_api_a_second_open_order_at_the_facility_is_a_409(dispatcher_client, pump_house):
    assert _post(dispatcher_client, facility=pump_house.id).status_code == 201
    response = _post(dispatcher_client, facility=pump_house.id)
    assert response.status_code == 409 and len(response.json()["duplicates"]) == 1
    assert _post(dispatcher_client, facility=pump_house.id, allow_duplicate=True).status_code == 201


def test_openapi_documents_the_building_field(dispatcher_client):
    schema = dispatcher_client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["WorkOrderCreateRequest"]["properties"]
    assert {"room", "facility", "building", "unit", "location_detail"} <= set(fields)
