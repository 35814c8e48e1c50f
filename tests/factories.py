"""One factory per model. Orders are put into a state by calling services, not by assigning fields."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from crews.models import Crew, DutyShift, Worker
from residents.models import Building, District, Facility, Residency, Resident, Room, Unit


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{o.number}区")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    district = factory.SubFactory(DistrictFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"{o.district.name}{o.number}栋")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = 1
    label = factory.LazyAttribute(lambda o: f"{o.building.label}{o.number}单元")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    unit = factory.SubFactory(UnitFactory)
    building = factory.LazyAttribute(lambda o: o.unit.building)
    district = factory.LazyAttribute(lambda o: o.unit.building.district)
    number = factory.Sequence(lambda n: f"{100 + n % 900}")
    floor = factory.LazyAttribute(lambda o: int(o.number[0]) if o.number[0].isdigit() else 1)
    label = factory.LazyAttribute(lambda o: f"{o.unit.label}{o.number}室")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"泵房{n}")
    kind = "pump_house"
    label = factory.LazyAttribute(lambda o: f"{o.district.name}{o.name}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"住户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class ResidencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Residency

    resident = factory.SubFactory(ResidentFactory)
    room = factory.SubFactory(RoomFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


class CrewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crew
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"班组{n}")
    kind = "water"


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    user = factory.SubFactory(UserFactory, role="worker")
    crew = factory.SubFactory(CrewFactory)
    name = factory.LazyAttribute(lambda o: o.user.first_name)
    role = "member"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class LeaderFactory(WorkerFactory):
    user = factory.SubFactory(UserFactory, role="crew_leader")
    role = "leader"


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    worker = factory.SubFactory(WorkerFactory)
    kind = factory.LazyAttribute(lambda o: o.worker.crew.kind)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=10))
