"""Fixtures of the operations tests: an area with homes, shared and second phones, a fixed clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from operations import sms
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)  # a Tuesday morning


@pytest.fixture(autouse=True)
def _clock_and_outbox():
    sms.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    sms.outbox.clear()


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def area(district, building, unit, room, resident):
    """Building 37 (unit 1: rooms 302 with 王大妈, 303 with a couple sharing one phone and a son who also lives
    in 302 — two phones); building 38 with one home; an empty room; a pump house."""
    r303 = f.RoomFactory(unit=unit, number="303", floor=3)
    shared = "13900000001"
    for name in ("张三", "李四"):
        f.ResidencyFactory(resident=f.ResidentFactory(name=name, phone=shared), room=r303)
    son = f.ResidentFactory(name="王小明", phone="13700000002", alt_phone="13700000003")
    f.ResidencyFactory(resident=son, room=room)
    f.ResidencyFactory(resident=son, room=r303)
    f.RoomFactory(unit=unit, number="304", floor=3)  # nobody lives here
    b38 = f.BuildingFactory(district=district, number=38, label="5区38栋")
    u38 = f.UnitFactory(building=b38, number=1, label="5区38栋1单元")
    r38 = f.RoomFactory(unit=u38, number="101", floor=1)
    f.ResidencyFactory(resident=f.ResidentFactory(name="赵六", phone="13600000004"), room=r38)
    pump = f.FacilityFactory(district=district, name="5区泵房", kind="pump_house")
    return {"b37": building, "u37": unit, "r302": room, "r303": r303, "b38": b38, "r38": r38, "pump": pump}


@pytest.fixture
def water_leader(leader):
    return leader  # the `crew` fixture is the water crew
