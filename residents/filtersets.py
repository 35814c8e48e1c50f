import django_filters

from config.filtersets import FilterSet

from .models import Building, Facility, Resident, Room, Unit
from .selectors import normalize_phone


class BuildingFilterSet(FilterSet):
    class Meta:
        model = Building
        fields = ["district"]


class UnitFilterSet(FilterSet):
    class Meta:
        model = Unit
        fields = ["building"]


class RoomFilterSet(FilterSet):
    class Meta:
        model = Room
        fields = ["unit", "building", "district"]


class FacilityFilterSet(FilterSet):
    class Meta:
        model = Facility
        fields = ["district", "kind"]


class ResidentFilterSet(FilterSet):
    phone = django_filters.CharFilter(method="filter_phone", label="phone")
    room = django_filters.NumberFilter(field_name="residencies__room", label="room")
    q = django_filters.CharFilter(method="filter_q", label="name or phone")

    class Meta:
        model = Resident
        fields = ["phone", "room", "q"]

    def filter_phone(self, queryset, name, value):
        phone = normalize_phone(value)
        return queryset.filter(phone=phone) | queryset.filter(alt_phone=phone)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(phone__startswith=value)
        return queryset.filter(name__startswith=value)
