import pytest
from django.db import IntegrityError, transaction

from tests import factories as f


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_duplicate",
    [
        lambda room: f.DistrictFactory._meta.model.objects.create(number=room.district.number, name="x"),
        lambda room: f.BuildingFactory(district=room.district, number=room.building.number),
        lambda room: f.UnitFactory(building=room.building, number=room.unit.number),
        lambda room: f.RoomFactory(unit=room.unit, number=room.number),
        lambda room: f.ResidencyFactory(
            resident=room.residencies.first().resident if room.residencies.exists() else f.ResidentFactory(),
            room=room,
        ),
    ],
    ids=["district", "building", "unit", "room", "residency"],
)
def test_places_are_unique_within_their_parent(room, make_duplicate):
    f.ResidencyFactory(room=room)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_duplicate(room)


@pytest.mark.django_db
def test_same_number_is_fine_under_another_parent(room):
    other_building = f.BuildingFactory(district=room.district, number=38)
    other_unit = f.UnitFactory(building=other_building, number=room.unit.number)
    twin = f.RoomFactory(unit=other_unit, number=room.number)
    assert twin.pk != room.pk
