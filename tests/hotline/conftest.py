"""Fixtures of the hotline tests: a second home for the resident, incidents, fixed moments of the week."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories as f
from workorders.models import Incident

TZ = ZoneInfo("Asia/Shanghai")
# Monday 30 November 2026: 10:00 is working time, 23:00 is night.
DAY = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
NIGHT = datetime(2026, 11, 30, 23, 0, tzinfo=TZ)


@pytest.fixture
def day():
    return DAY


@pytest.fixture
def night():
    return NIGHT


@pytest.fixture
def other_building(district):
    return f.BuildingFactory(district=district, number=38, label="5区38栋")


@pytest.fixture
def second_room(other_building):
    unit = f.UnitFactory(building=other_building, number=2, label="5区38栋2单元")
    return f.RoomFactory(unit=unit, number="101", floor=1)


@pytest.fixture
def two_home_resident(resident, second_room):
    f.ResidencyFactory(resident=resident, room=second_room, relation="tenant")
    return resident


@pytest.fixture
def make_incident(district):
    def make(*, system="water", buildings=(), units=(), ended=False, starts_at=None, title="5区37栋停水"):
        incident = Incident.objects.create(
            title=title,
            system=system,
            district=buildings[0].district if buildings else district,
            starts_at=starts_at or DAY.replace(hour=8),
            ended_at=DAY.replace(hour=9) if ended else None,
        )
        incident.buildings.set(buildings)
        incident.units.set(units)
        return incident

    return make
