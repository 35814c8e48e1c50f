import pytest

from hotline.selectors import LookupInputError, caller_screen, suggest_crew
from tests import factories as f
from tests.hotline.conftest import DAY


@pytest.mark.django_db
def test_lookup_for_a_resident_with_two_rooms_shows_both_rooms_their_orders_and_incidents(
    dispatcher, two_home_resident, room, second_room, make_order, make_incident, building, other_building
):
    open_here = make_order("dispatched", now=DAY)
    completed_there = make_order("completed", room=second_room, now=DAY)
    closed_here = make_order("closed", now=DAY)
    elsewhere = make_order("received", room=f.RoomFactory())
    covering = make_incident(buildings=[building])
    whole_district = make_incident(system="power", title="5区停电")
    make_incident(buildings=[f.BuildingFactory(district=building.district)], title="别的楼")
    make_incident(buildings=[other_building], ended=True, title="已结束")

    screen = caller_screen(user=dispatcher, phone="+86 138-0013-8000", now=DAY)

    assert screen.phone == "13800138000"
    assert [r.name for r in screen.residents] == ["王大妈"]
    assert {r.id for r in screen.rooms} == {room.id, second_room.id}
    assert {o.id for o in screen.open_orders} == {open_here.id, completed_there.id}
    assert {o.id for o in screen.recent_orders} == {open_here.id, completed_there.id, closed_here.id}
    assert elsewhere.id not in {o.id for o in screen.recent_orders}
    assert {i.id for i in screen.incidents} == {covering.id, whole_district.id}
    assert screen.known


@pytest.mark.django_db
def test_lookup_of_an_unknown_number_is_an_empty_screen_in_three_queries(
    dispatcher, django_assert_num_queries
):
    # residents with the number; open complaints from it; recent calls from it
    with django_assert_num_queries(3):
        screen = caller_screen(user=dispatcher, phone="13999999999")
    assert not screen.known
    assert screen.rooms == [] and screen.open_orders == [] and screen.incidents == []


@pytest.mark.django_db
def test_a_caller_registered_without_a_room_is_known_with_no_homes(dispatcher, two_home_resident, room):
    from residents.models import Resident

    Resident.objects.create(name="阿无房", phone="13800138000")
    screen = caller_screen(user=dispatcher, phone="13800138000")
    by_name = {r.name: r for r in screen.residents}
    assert by_name["阿无房"].homes == []
    assert len(by_name[two_home_resident.name].homes) == 2
    assert {r.id for r in screen.rooms} == {h.id for h in by_name[two_home_resident.name].homes}
    assert room.id in {r.id for r in screen.rooms}


@pytest.mark.parametrize("phone", ["123", "abc", "1380013800012345", ""])
@pytest.mark.django_db
def test_malformed_numbers_are_refused_with_a_chinese_message(dispatcher, phone):
    with pytest.raises(LookupInputError) as exc:
        caller_screen(user=dispatcher, phone=phone)
    assert exc.value.field == "phone"
    assert "电话" in exc.value.message or "号码" in exc.value.message


@pytest.mark.django_db
def test_lookup_by_address_shows_the_room_and_who_lives_there(dispatcher, resident, room, make_order):
    order = make_order("dispatched", now=DAY)
    screen = caller_screen(user=dispatcher, address="5-37-1-302", now=DAY)
    assert screen.rooms == [room]
    assert [r.id for r in screen.residents] == [resident.id]
    assert [o.id for o in screen.open_orders] == [order.id]


@pytest.mark.django_db
def test_lookup_by_an_address_that_names_no_room_says_which_part(dispatcher, room):
    with pytest.raises(LookupInputError) as exc:
        caller_screen(user=dispatcher, address="5区37栋1单元999室")
    assert exc.value.field == "address"
    assert "999" in exc.value.message


@pytest.mark.django_db
def test_lookup_query_count_is_fixed_as_orders_grow(
    dispatcher, two_home_resident, second_room, make_order, make_incident, building, django_assert_num_queries
):
    make_incident(buildings=[building])
    make_order("dispatched", now=DAY)

    def measure():
        # 1 residents with their rooms (one LEFT JOIN), 2 open orders and the last 10 orders in one query,
        # 3 incidents, 4 open complaints from the number or about these rooms, 5 recent calls
        with django_assert_num_queries(5):
            caller_screen(user=dispatcher, phone="13800138000", now=DAY)

    measure()
    for _ in range(15):
        make_order("received", now=DAY)
        make_order("received", room=second_room, now=DAY)
    measure()


@pytest.mark.django_db
def test_suggested_crew_by_day_serves_the_district_and_at_night_is_the_on_duty_workers(
    room, crew, night, day
):
    district_crew = f.CrewFactory(name="供水二班", kind="water")
    district_crew.districts.add(f.DistrictFactory(number=9))  # serves another district only
    night_crew = f.CrewFactory(name="供水班（夜）", kind="water")
    f.DutyShiftFactory(
        worker=f.WorkerFactory(crew=night_crew),
        starts_at=night.replace(hour=18),
        ends_at=night.replace(hour=23, minute=59),
    )
    category = f.leaf_category("water.leak_fitting")
    assert suggest_crew(category=category, district_id=room.district_id, at=day) == crew
    assert suggest_crew(category=category, district_id=room.district_id, at=night) == night_crew
