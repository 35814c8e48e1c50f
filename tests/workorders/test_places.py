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
