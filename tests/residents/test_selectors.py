import pytest

from residents.selectors import (
    AddressError,
    mask_phone,
    normalize_phone,
    parse_address,
    resolve_address,
    suggest_rooms,
)
from tests import factories as f


@pytest.fixture
def rooms(room):
    """5区37栋1单元302室 plus 5区37栋2单元101室 and 12区3栋1单元502室."""
    unit2 = f.UnitFactory(building=room.building, number=2, label="5区37栋2单元")
    f.RoomFactory(unit=unit2, number="101")
    d12 = f.DistrictFactory(number=12)
    b3 = f.BuildingFactory(district=d12, number=3, label="12区3栋")
    u1 = f.UnitFactory(building=b3, number=1, label="12区3栋1单元")
    f.RoomFactory(unit=u1, number="502")
    return room


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5区37栋1单元302室", "5区37栋1单元302室"),
        ("5区37栋1单元302", "5区37栋1单元302室"),
        ("5区37号楼1单元302", "5区37栋1单元302室"),
        ("5区37号楼1门302", "5区37栋1单元302室"),
        ("5-37-1-302", "5区37栋1单元302室"),
        ("5 区 37 栋 1 单元 302 室", "5区37栋1单元302室"),
        ("５区３７栋１单元３０２室", "5区37栋1单元302室"),  # full-width digits
        ("五区37栋1单元302室", "5区37栋1单元302室"),  # Chinese numeral district
        ("五区三十七栋一单元302室", "5区37栋1单元302室"),
        ("5－37－1－302", "5区37栋1单元302室"),  # full-width dashes
        ("5区37幢1单元302室", "5区37栋1单元302室"),
        ("5区37#1-302", "5区37栋1单元302室"),
        ("十二区3栋1单元502室", "12区3栋1单元502室"),
        ("12-3-1-502", "12区3栋1单元502室"),
        ("5区37栋2单元101", "5区37栋2单元101室"),
    ],
)
def test_resolve_address_accepts_the_ways_residents_write_it(rooms, text, expected):
    assert resolve_address(text).label == expected


@pytest.mark.parametrize(
    "text, part, message",
    [
        ("5区99栋1单元302室", "building", "5区 has no building 99."),
        ("7区1栋1单元101室", "district", "There is no district 7区."),
        ("5区37栋9单元302室", "unit", "5区37栋 has no unit 9."),
        ("5区37栋1单元909室", "room", "5区37栋1单元 has no room 909."),
        ("5区37栋", "unit", "has no unit"),
        ("5区37栋1单元", "room", "has no room number"),
        ("", "address", "Enter an address"),
        ("长江路88号", "address", "Could not read the address"),
    ],
)
def test_resolve_address_says_which_part_did_not_match(rooms, text, part, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(AddressError) as info:
        resolve_address(text)
    assert info.value.part == part
    assert message in info.value.message


def test_resolve_address_message_is_chinese_by_default(rooms):
    with pytest.raises(AddressError) as info:
        resolve_address("5区99栋1单元302室")
    assert "没有" in info.value.message


def test_parse_address_strips_leading_zeros_from_room():
    assert parse_address("5-37-1-0302").room == "302"


def test_suggest_rooms_narrows_as_the_address_is_typed(rooms):
    assert {r.label for r in suggest_rooms("5区37栋")} == {"5区37栋1单元302室", "5区37栋2单元101室"}
    assert [r.label for r in suggest_rooms("5-37-2")] == ["5区37栋2单元101室"]
    assert list(suggest_rooms("")) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("138 0013 8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_mask_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("123") == "****"
